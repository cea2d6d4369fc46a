// Helpers for driving the wizard like a person: every click, filled field and key shortcut is
// counted as one user action (the benchmark quotes the count for launch → export on AWS).

export class Flow {
  constructor(t) {
    this.t = t;
    this.actions = 0;
    this.shots = 0;
    /** Every step waited for, in order (the screens a figure counts). */
    this.seen = [];
  }

  get b() {
    return this.t.browser;
  }

  async el(selector) {
    const el = await this.b.$(selector);
    await el.waitForExist({ timeout: 10000 });
    return el;
  }

  /** One click on the element with this data-testid (or, starting with # or [, this selector). */
  async click(selector) {
    const el = await this.el(/^[#[]/.test(selector) ? selector : `[data-testid="${selector}"]`);
    await el.scrollIntoView({ block: "center" });
    await el.click();
    this.actions += 1;
  }

  /** Clicks the radio or checkbox whose label reads `text`. */
  async choose(text) {
    const labels = await this.b.$$("label");
    for (const label of labels) {
      if ((await label.getText()).trim() === text) {
        await label.scrollIntoView({ block: "center" });
        await label.click();
        this.actions += 1;
        return;
      }
    }
    this.t.require(false, `a label reads ${JSON.stringify(text)}`);
  }

  /**
   * Makes sure the checkbox or radio labelled `text` is selected: a click (one action) only when it
   * is not (the wizard may have selected it for the person, e.g. AWS when signed in to AWS).
   */
  async select(text) {
    const label = await this.label(text);
    if (await this.selected(text)) return;
    await label.scrollIntoView({ block: "center" });
    await label.click();
    this.actions += 1;
  }

  /** Whether the checkbox or radio labelled `text` is selected (no action). */
  async selected(text) {
    const label = await this.label(text);
    return (await this.b.$(`#${await label.getAttribute("for")}`)).isSelected();
  }

  async label(text) {
    for (const label of await this.b.$$("label")) {
      if ((await label.getText()).trim() === text) return label;
    }
    this.t.require(false, `a label reads ${JSON.stringify(text)}`);
  }

  /**
   * One action: replaces the field's text (by field path, e.g. "aws.account_id", or a selector). A
   * field under a closed "More options" is opened first, as a person would: one more action.
   */
  async fill(field, text) {
    const selector = field.startsWith("#") ? field : `#${fieldId(field)}`;
    const el = await this.el(selector);
    const closed = await this.b.execute((e) => {
      const d = e.closest("details");
      if (!d || d.open) return false;
      d.querySelector("summary")?.setAttribute("data-e2e-summary", "");
      return true;
    }, el);
    if (closed) {
      const s = await this.el("summary[data-e2e-summary]");
      await s.scrollIntoView({ block: "center" });
      await s.click();
      await this.b.execute(() => document.querySelector("summary[data-e2e-summary]")?.removeAttribute("data-e2e-summary"));
      this.actions += 1;
    }
    await el.scrollIntoView({ block: "center" });
    await el.click();
    await el.clearValue();
    if (text !== "") await el.addValue(text);
    else
      await this.b.execute((e) => {
        e.value = "";
        e.dispatchEvent(new Event("input", { bubbles: true }));
      }, el);
    this.actions += 1;
    const value = await el.getValue();
    this.t.check(value === text, `typed into ${field}`, `value is ${JSON.stringify(value)}`);
  }

  /** Types `text` into the field `selector` as it is (no clearing, no read-back: a password field): one action. */
  async typeInto(selector, text) {
    const el = await this.el(selector);
    await el.scrollIntoView({ block: "center" });
    await el.click();
    await el.addValue(text);
    this.actions += 1;
  }

  /**
   * "Connect to {vendor}": waits until the project field holds `project`, which the list of the
   * key's projects fills in when it is the only one (no action: nothing was typed).
   */
  async projectListed(project) {
    const v = await this.t.waitFor(
      async () => {
        const el = await this.b.$(`#${fieldId("integration.project_id")}`);
        return (await el.isExisting()) && (await el.getValue()) === project && project;
      },
      "the only project the key can see is filled in",
      { timeout: 20000 },
    );
    this.t.check(v === project, "the project is the one the vendor listed", v);
  }

  /**
   * The first page says this computer is signed in to AWS `account` (no action): leaving it then
   * takes AWS as the clouds answer, and the clouds question folds into Check your answers.
   */
  async awsDetectedOnStart(account) {
    const said = await this.t.waitFor(async () => {
      const e = await this.b.$('[data-testid="start-aws-detected"]');
      return (await e.isExisting()) && (await e.getText());
    }, "the first page says this computer is signed in to AWS", { timeout: 20000 });
    this.t.check(said.includes(`signed in to AWS account ${account}`), "with the account", said);
  }

  async value(field) {
    return (await this.el(`#${fieldId(field)}`)).getValue();
  }

  /** Waits until the wizard shows `step` (and is not busy). */
  async waitStep(step, timeout = 10000) {
    await this.t.waitFor(
      async () => {
        const form = await this.b.$(`form[data-step="${step}"]`);
        if (!(await form.isExisting())) return false;
        const cont = await this.b.$('[data-testid="continue"]');
        return !(await cont.isExisting()) || (await cont.isEnabled());
      },
      `shows step ${step}`,
      { timeout },
    );
    this.seen.push(step);
  }

  async heading() {
    return (await (await this.el("#page-heading")).getText()).trim();
  }

  /** Continue, then wait for `next` (or for an error summary when `next` is null). */
  async continue(next) {
    await this.click("continue");
    if (next) await this.waitStep(next);
  }

  /**
   * "How do you want to set this up?" — the vendor wizard's `route` page (asked when the plan has
   * AWS) or the role-pack path's `pack-route` page: answers `route` ("apply" | "export") by its
   * radio (`[data-testid="route-apply"]` / `[data-testid="route-export"]`, clicked through its
   * label like a person; not clicked, and not counted, when it is already selected), then Continue
   * to the page that does it (`export` / `pack-export`). `selected`: the answer expected to be
   * selected on arrival (preselected, or remembered), checked first. Both flows list apply first.
   */
  async chooseRoute(route, { selected } = {}) {
    const step = await this.t.waitFor(async () => {
      const s = await this.b.execute(() => document.querySelector("form[data-step]")?.getAttribute("data-step") ?? null);
      return (s === "route" || s === "pack-route") && s;
    }, "the set-up question is shown");
    const checked = () => this.b.execute(() => document.querySelector('input[name="route"]:checked')?.value ?? null);
    const order = await this.b.execute(() => [...document.querySelectorAll('input[name="route"]')].map((i) => i.value));
    this.t.check(JSON.stringify(order) === '["apply","export"]', "the set-up question offers apply first, export second", JSON.stringify(order));
    if (selected) {
      await this.t.waitFor(async () => (await checked()) === selected, `"${selected}" is selected on arrival at the set-up question`, {
        timeout: 5000,
        fatal: false,
      });
    }
    const radio = await this.el(`[data-testid="route-${route}"]`);
    if ((await checked()) !== route) {
      const label = await this.el(`label[for="${await radio.getAttribute("id")}"]`);
      await label.scrollIntoView({ block: "center" });
      await label.click();
      this.actions += 1;
    }
    this.t.check((await checked()) === route, `the set-up question is answered "${route}"`, String(await checked()));
    await this.continue(step === "pack-route" ? "pack-export" : "export");
  }

  /** Screenshot of the page from its top (or scrolled to `selector`). */
  async shot(label, selector = null) {
    this.shots += 1;
    if (selector) await (await this.el(selector)).scrollIntoView({ block: "start" });
    else await this.b.execute(() => window.scrollTo(0, 0));
    return this.t.screenshot(`${String(this.shots).padStart(2, "0")}-${label}`);
  }

  /** All visible text plus every input's value: what a screen shows. */
  async screenText() {
    return this.b.execute(() => {
      const values = [...document.querySelectorAll("input, textarea")].map((e) => e.value);
      return `${document.body.innerText}\n${values.join("\n")}`;
    });
  }

  async errorSummary() {
    const s = await this.b.$('[data-testid="error-summary"]');
    return (await s.isExisting()) ? (await s.getText()).replace(/\s+/g, " ") : null;
  }

  async focusedTestId() {
    return this.b.execute(
      () => document.activeElement?.getAttribute("data-testid") ?? document.activeElement?.id ?? document.activeElement?.tagName,
    );
  }
}

export function fieldId(path) {
  return `f-${path.replace(/[^A-Za-z0-9]+/g, "-").replace(/-+$/, "")}`;
}

/** Waits for the first page (vendor radios loaded from Rust). */
export async function waitForStart(t) {
  const b = t.browser;
  return t.waitFor(
    async () => {
      if (await (await b.$('[data-testid="resume"]')).isExisting()) return "resume";
      if ((await b.$$('input[name="platform"]')).length > 0) return "start";
      const summary = await b.$('[data-testid="error-summary"]');
      if (await summary.isExisting()) throw new Error(await summary.getText());
      return false;
    },
    "the first page is interactive",
    { timeout: 20000 },
  );
}
