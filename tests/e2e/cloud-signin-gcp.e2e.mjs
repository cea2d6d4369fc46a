// Issue 14's figure for Google Cloud alone: signin-world.mjs oneCloudToGreen.
import { oneCloudToGreen } from "./signin-world.mjs";

await oneCloudToGreen("gcp");
