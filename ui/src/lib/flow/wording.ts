// How a field's problem reads, in GOV.UK's way (say what is wrong and how to fix it, in the words
// of the field's own label), for both flows. Rust stays the source: its problem says which field
// broke which rule (`field.path: rule (got 'value'); fix`); this picks the rule out of it and words
// it about the field. A rule this file has no wording for is shown as Rust states it, cleaned up
// (no path, no value, sentence case, a full stop). The value typed is never repeated. Pure.
import type { IpcError } from "../ipc/bindings/IpcError";

/**
 * How a sentence names a field: "a bucket name" (Enter a … that …) and "the bucket name" (The …
 * must …); `rust`: the subjects Rust starts this field's rules with ("bucket name" for "a bucket name
 * must …"). A rule about another subject (the account inside a key ARN) is shown as Rust states it.
 */
export type Noun = { a: string; the: string; rust?: readonly string[] };

/** Letters spelt with a leading vowel sound ("an AWS", "an MLSpace", "an S3"). */
const VOWEL_LETTERS = "AEFHILMNORSX";

/** "a" or "an" before `phrase` (acronyms by how their first letter is said). */
export function article(phrase: string): "a" | "an" {
  const word = phrase.split(/[\s(]/)[0] ?? "";
  if (word.length > 1 && word === word.toUpperCase() && /^[A-Z]/.test(word)) return VOWEL_LETTERS.includes(word[0]) ? "an" : "a";
  if (/^[A-Z][a-z]*[A-Z]/.test(word)) return VOWEL_LETTERS.includes(word[0]) ? "an" : "a"; // MLSpace
  return /^[aeiou]/i.test(word) ? "an" : "a";
}

/**
 * A field named by its label words (`label` as it reads mid-sentence: "bucket name", "AWS account ID").
 * `own`: the label already says whose it is ("the vendor's …", "your …", "private subnet 2"), so it
 * takes no article of its own.
 */
export function noun(label: string, rust: readonly string[] = [], own: "the" | "your" | "none" | null = null): Noun {
  if (own === "the") return { a: `the ${label}`, the: `the ${label}`, rust };
  if (own === "your") return { a: `your ${label}`, the: `your ${label}`, rust };
  if (own === "none") return { a: label, the: label, rust };
  return { a: `${article(label)} ${label}`, the: `the ${label}`, rust };
}

const ORDINALS = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"];

/** The position of a row in words: 0 → "first", 1 → "second", … 11 → "12th". */
export function ordinal(index: number): string {
  if (ORDINALS[index]) return ORDINALS[index];
  const n = index + 1;
  const suffix = n % 100 >= 11 && n % 100 <= 13 ? "th" : ["th", "st", "nd", "rd"][n % 10] ?? "th";
  return `${n}${suffix}`;
}

/** Rust's rule in a problem, and whether the value it saw was empty (null: the message does not say). */
export function ruleOf(error: IpcError): { rule: string; empty: boolean | null } {
  let text = error.message;
  if (error.field && text.startsWith(`${error.field}: `)) text = text.slice(error.field.length + 2);
  let empty: boolean | null = null;
  // The rule never contains " (got '": the first one starts the value (which may contain anything).
  const got = text.indexOf(" (got '");
  if (got >= 0) {
    empty = text.startsWith("')", got + " (got '".length);
    text = text.slice(0, got);
  } else if (error.fix && text.endsWith(`; ${error.fix}`)) {
    text = text.slice(0, -(error.fix.length + 2));
  }
  // A problem with a code of its own names it after the rule: `[profile.unsigned]`.
  text = text.replace(/\s*\[[a-z0-9_.]+\]$/, "");
  return { rule: text.trim(), empty };
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** One sentence: a capital first letter and a full stop at the end. */
export function sentence(s: string): string {
  const t = capitalise(s.trim());
  return /[.!?]$/.test(t) ? t : `${t}.`;
}

/** Rust's words where people use others: "ID", "lower-case", "letter or number", the vendor's name. */
function plainWords(s: string, vendor?: string | null): string {
  return s
    .replace(/(^|\s)id(s?)\b/g, "$1ID$2")
    .replace(/\blowercase\b/g, "lower-case")
    .replace(/\bletter or digit\b/g, "letter or number")
    .replace(/\b(?:vendor )?profile '[^']*'/g, vendor ?? "this vendor");
}

/** A rule as Rust states it, as a sentence (the fallback for a rule without wording of its own). */
export function cleanRule(rule: string, vendor?: string | null): string {
  return sentence(plainWords(rule, vendor));
}

const SYMBOL_NAMES: Record<string, string> = { "-": "hyphens", _: "underscores", ".": "full stops" };

function joinWords(words: string[]): string {
  return words.length <= 1 ? (words[0] ?? "") : `${words.slice(0, -1).join(", ")} and ${words[words.length - 1]}`;
}

/**
 * Rust's list of allowed characters in words: "lowercase letters, digits and '-'" → "lower-case
 * letters, numbers and hyphens"; symbols without a short name are listed as they are
 * ("letters, numbers and the characters + = , . @ _ -").
 */
export function charactersInWords(list: string): string {
  const m = /^(lowercase letters|letters)((?:, | and )digits)?(.*)$/.exec(list.trim());
  if (!m) return plainWords(list);
  const words = [m[1] === "lowercase letters" ? "lower-case letters" : "letters"];
  if (m[2]) words.push("numbers");
  const symbols = m[3]
    .replace(/^(,\s*|\s+and\s+)/, "")
    .split(/\s+/)
    .filter((t) => t !== "" && t !== "and")
    .map((t) => (t.length > 1 ? t.replace(/,$/, "") : t))
    .map((t) => t.replace(/^'(.+)'$/, "$1"));
  if (symbols.length === 0) return joinWords(words);
  if (symbols.every((s) => SYMBOL_NAMES[s])) return joinWords([...words, ...symbols.map((s) => SYMBOL_NAMES[s])]);
  return `${words.join(", ")} and the characters ${symbols.join(" ")}`;
}

/** `'eu-west-1'` → `eu-west-1` (one quoted example); anything else as it is. */
function example(s: string): string {
  return /^'[^']*'$/.test(s) ? s.slice(1, -1) : s;
}

/** "Enter a … that …" for a field named with "a"/"an"; "The … must …" for one that has its own article. */
function indefinite(n: Noun): boolean {
  return /^an? /.test(n.a);
}

/** The subject Rust starts a rule with ("a bucket name must …", "an external id may …"). */
const SUBJECT = /^an? ([^:;]{1,60}?) (?=must |may |looks like |is exactly )/;

/**
 * The sentence for a broken rule about the field named `n`: what is wrong and how to put it right.
 * Falls back to the rule as Rust states it, cleaned up, when it has no wording of its own (or is
 * about something other than the field itself).
 */
export function ruleSentence(rule: string, n: Noun, vendor?: string | null): string {
  const subject = SUBJECT.exec(rule);
  if (subject && !(n.rust ?? []).some((r) => r.toLowerCase() === subject[1].toLowerCase())) return cleanRule(rule, vendor);
  const body = subject ? rule.slice(subject[0].length) : rule;
  const The = capitalise(n.the);
  let m = /^must be (\d+)-(\d+) characters long \(this is (\d+)\)$/.exec(body);
  if (m) {
    const [min, max, got] = [Number(m[1]), Number(m[2]), Number(m[3])];
    if (got > max) return sentence(`${The} must be ${max} characters or less`);
    return sentence(min <= 1 || got === 0 ? `Enter ${n.the}` : `${The} must be ${min} characters or more`);
  }
  m = /^may contain only (.+)$/.exec(body);
  if (m) {
    const chars = charactersInWords(m[1]);
    return sentence(indefinite(n) ? `Enter ${n.a} that uses only ${chars}` : `${The} must use only ${chars}`);
  }
  m = /^looks like (.+)$/.exec(body);
  if (m) return sentence(`Enter ${n.a} in the correct format, like ${example(m[1])}`);
  m = /^is exactly (\d+) digits$/.exec(body);
  if (m) return sentence(indefinite(n) ? `Enter ${n.a} that is exactly ${m[1]} digits` : `${The} must be exactly ${m[1]} digits`);
  if (/^(must not be empty|required\b)/.test(body)) return sentence(`Enter ${n.the}`);
  if (/^listed twice\b/.test(body)) return sentence(`${The} is listed twice: remove it or enter a different one`);
  m = /^(must|may not) (.+)$/.exec(body);
  if (m) return sentence(`${The} must ${m[1] === "may not" ? "not " : ""}${plainWords(m[2], vendor)}`);
  return cleanRule(rule, vendor);
}

/**
 * How the pages name the vendor: its own name for a real vendor profile, "the vendor" for the
 * built-in Custom profile (its display name, "Custom vendor", is a choice on the first page, not a
 * company: "How should Custom vendor sign in?" read like a typo) and before a profile is chosen.
 * `start`: at the start of a sentence.
 */
export function vendorName(profile: { id: string; display_name: string } | null | undefined, start = false): string {
  if (profile && profile.id !== "custom") return profile.display_name;
  return start ? "The vendor" : "the vendor";
}

/** An IAM role as the person named it: the name, and the path only when it is not the default "/". */
export function roleLabel(name: string, path: string | null | undefined): string {
  const p = (path ?? "/").trim();
  return p === "" || p === "/" ? name : `${name} (path ${p})`;
}
