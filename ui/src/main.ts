import { mount } from "svelte";
import "./app.css";
import App from "./App.svelte";
import { preloadViews } from "./lib/views/lazy.svelte";
import { markInteractive, wizard } from "./lib/wizard/wizard.svelte";

// The launch benchmark's split (tests/e2e/measure.mjs): every module of the first script has been
// fetched and evaluated once this line runs; the mount follows.
performance.mark("trustbridge-evaluated");
const target = document.getElementById("app");
if (!target) throw new Error("missing #app element");

const app = mount(App, { target });
// The window handed the first page its data: that page was drawn by this mount.
if (wizard.screen !== "loading") markInteractive();
// The later pages' scripts, once the first page has been drawn.
requestAnimationFrame(() => setTimeout(() => void preloadViews(), 0));

export default app;
