// Issue 14's figure for Azure alone: signin-world.mjs oneCloudToGreen.
import { oneCloudToGreen } from "./signin-world.mjs";

await oneCloudToGreen("azure");
