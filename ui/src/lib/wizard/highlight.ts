// Simple syntax highlighting for the generated documents. Produces tokens (type + text) that the
// view renders as text nodes inside <span>s: nothing is ever parsed as HTML. Pure.

export type TokenType = "key" | "string" | "number" | "literal" | "comment" | "keyword" | "variable" | "punct" | "plain";
export type Token = { type: TokenType; text: string };

export type Language = "json" | "shell" | "yaml" | "hcl" | "python" | "markdown" | "text";

export function languageOf(path: string): Language {
  const ext = path.slice(path.lastIndexOf(".") + 1).toLowerCase();
  switch (ext) {
    case "json":
      return "json";
    case "sh":
      return "shell";
    case "yaml":
    case "yml":
      return "yaml";
    case "tf":
      return "hcl";
    case "py":
      return "python";
    case "md":
      return "markdown";
    default:
      return "text";
  }
}

const KEYWORDS: Record<Language, string[]> = {
  json: [],
  shell: ["if", "then", "else", "elif", "fi", "for", "in", "do", "done", "while", "case", "esac", "function", "set", "export", "local", "return", "exit", "echo", "printf", "readonly"],
  yaml: [],
  hcl: ["resource", "data", "variable", "output", "provider", "terraform", "locals", "module"],
  python: ["import", "from", "def", "return", "if", "else", "elif", "for", "in", "as", "with", "class", "not", "and", "or"],
  markdown: [],
  text: [],
};

type Rule = [TokenType, RegExp];

function rules(lang: Language): Rule[] {
  const strings: Rule[] = [
    ["string", /"(?:[^"\\\n]|\\.)*"?/y],
    ["string", /'[^'\n]*'?/y],
  ];
  switch (lang) {
    case "json":
      return [
        ["key", /"(?:[^"\\\n]|\\.)*"(?=\s*:)/y],
        ["string", /"(?:[^"\\\n]|\\.)*"?/y],
        ["number", /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y],
        ["literal", /\b(?:true|false|null)\b/y],
        ["punct", /[{}[\],:]/y],
      ];
    case "shell":
      return [
        ["comment", /#[^\n]*/y],
        ...strings,
        ["variable", /\$\{[^}\n]*\}?|\$[A-Za-z_][A-Za-z0-9_]*|\$[0-9@#?*$!-]/y],
      ];
    case "yaml":
      return [
        ["comment", /#[^\n]*/y],
        ["key", /[A-Za-z_][\w.-]*(?=:(?:\s|$))/y],
        ...strings,
        ["literal", /\b(?:true|false|null)\b/y],
        ["number", /\b\d+(?:\.\d+)?\b/y],
        ["punct", /[-:[\]{},|>]/y],
      ];
    case "hcl":
    case "python":
      return [
        ["comment", lang === "hcl" ? /(?:#|\/\/)[^\n]*/y : /#[^\n]*/y],
        ...strings,
        ["literal", /\b(?:true|false|null|True|False|None)\b/y],
        ["number", /\b\d+(?:\.\d+)?\b/y],
        ["punct", /[{}[\](),=:]/y],
      ];
    case "markdown":
      return [["keyword", /^#{1,6} [^\n]*/my]];
    default:
      return [];
  }
}

/** Splits `content` into tokens; concatenating their texts gives back `content` exactly. */
export function tokenize(content: string, lang: Language): Token[] {
  const ruleset = rules(lang);
  const keywords = new Set(KEYWORDS[lang]);
  const tokens: Token[] = [];
  const push = (type: TokenType, text: string) => {
    const last = tokens[tokens.length - 1];
    if (last && last.type === type && type === "plain") last.text += text;
    else tokens.push({ type, text });
  };
  let i = 0;
  outer: while (i < content.length) {
    for (const [type, re] of ruleset) {
      if (type === "keyword" && re.flags.includes("m") && i > 0 && content[i - 1] !== "\n") continue;
      re.lastIndex = i;
      const m = re.exec(content);
      if (m && m[0].length > 0) {
        push(type, m[0]);
        i += m[0].length;
        continue outer;
      }
    }
    const word = /[A-Za-z_][A-Za-z0-9_-]*/y;
    word.lastIndex = i;
    const w = word.exec(content);
    if (w) {
      push(keywords.has(w[0]) ? "keyword" : "plain", w[0]);
      i += w[0].length;
      continue;
    }
    push("plain", content[i]);
    i += 1;
  }
  return tokens;
}

/** Splits `a `b` c` into text and `code` parts (Rust's plain-language lines quote names in backticks). */
export function inlineCode(text: string): { code: boolean; text: string }[] {
  return text
    .split("`")
    .map((part, i) => ({ code: i % 2 === 1, text: part }))
    .filter((p) => p.text !== "");
}
