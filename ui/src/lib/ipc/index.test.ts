import { afterEach, describe, expect, it, vi } from "vitest";

const invoke = vi.fn();
vi.mock("@tauri-apps/api/core", () => ({ invoke: (...args: unknown[]) => invoke(...args) }));

const { call, toIpcError, isIpcError, IPC_UNAVAILABLE, IPC_UNKNOWN } = await import("./index");
const { listProfiles, appInfo, boot } = await import("./api");

afterEach(() => {
  invoke.mockReset();
  vi.unstubAllGlobals();
});

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  throw new Error("expected the promise to reject");
}

describe("call", () => {
  it("resolves with the command's result and forwards name and args", async () => {
    invoke.mockResolvedValueOnce({ name: "Trustbridge", version: "0.1.0" });
    await expect(call("app_info", { a: 1 })).resolves.toEqual({ name: "Trustbridge", version: "0.1.0" });
    expect(invoke).toHaveBeenCalledWith("app_info", { a: 1 });
  });

  it("rethrows a serialized Rust error as the same IpcError", async () => {
    const rust = {
      code: "validation.aws.account_id",
      message: "account_id must be 12 digits",
      field: "aws.account_id",
      fix: "Copy the 12-digit ID from the AWS console's account menu.",
    };
    invoke.mockRejectedValueOnce(rust);
    const thrown = await rejection(call("validate_plan"));
    expect(thrown).toEqual(rust);
    expect(thrown).not.toBe(rust);
    expect(thrown).not.toBeInstanceOf(Error);
    expect(isIpcError(thrown)).toBe(true);
  });

  it("fills in missing field and fix with null", async () => {
    invoke.mockRejectedValueOnce({ code: "aws.access_denied", message: "denied" });
    await expect(call("apply")).rejects.toEqual({
      code: "aws.access_denied",
      message: "denied",
      field: null,
      fix: null,
    });
  });

  it("turns a plain string rejection (Tauri's own errors) into ipc.unknown", async () => {
    invoke.mockRejectedValueOnce("command list_profiles not found");
    await expect(call("list_profiles")).rejects.toEqual({
      code: IPC_UNKNOWN,
      message: "command list_profiles not found",
      field: null,
      fix: null,
    });
  });

  it("reports ipc.unavailable when there is no Tauri runtime", async () => {
    vi.stubGlobal("window", {});
    invoke.mockImplementationOnce(() => {
      throw new TypeError("Cannot read properties of undefined (reading 'invoke')");
    });
    const thrown = await rejection(call("app_info"));
    expect(thrown).toMatchObject({ code: IPC_UNAVAILABLE, field: null, fix: null });
  });

  it("keeps an Error inside the Tauri runtime as ipc.unknown", async () => {
    vi.stubGlobal("window", { __TAURI_INTERNALS__: {} });
    invoke.mockRejectedValueOnce(new Error("boom"));
    await expect(call("app_info")).rejects.toEqual({
      code: IPC_UNKNOWN,
      message: "boom",
      field: null,
      fix: null,
    });
  });
});

describe("toIpcError", () => {
  it.each([undefined, null, 42, { code: 1, message: "x" }, { message: "no code" }])(
    "maps an unrecognised rejection %j to ipc.unknown",
    (reason) => {
      expect(toIpcError(reason)).toEqual({
        code: IPC_UNKNOWN,
        message: "Unexpected error",
        field: null,
        fix: null,
      });
    },
  );
});

describe("api", () => {
  it("listProfiles calls list_profiles without arguments", async () => {
    invoke.mockResolvedValueOnce([]);
    await expect(listProfiles()).resolves.toEqual([]);
    expect(invoke).toHaveBeenCalledWith("list_profiles", undefined);
  });

  it("appInfo calls app_info without arguments", async () => {
    invoke.mockResolvedValueOnce({ name: "Trustbridge", version: "0.1.0" });
    await appInfo();
    expect(invoke).toHaveBeenCalledWith("app_info", undefined);
  });
});

describe("boot", () => {
  const handed = {
    app: { name: "Trustbridge", version: "0.1.0" },
    profiles: [{ id: "mlcube" }],
    draft: { version: 1, step: "aws-account", plan: { platform: "mlcube" } },
  };
  const fromRust = { app: { name: "Trustbridge", version: "0.1.0" }, profiles: [{ id: "jfrog" }], draft: null };
  const backend = (cmd: string) =>
    Promise.resolve(cmd === "app_info" ? fromRust.app : cmd === "list_profiles" ? fromRust.profiles : null);
  const global = globalThis as unknown as Record<string, unknown>;

  function hand(type: string) {
    Object.defineProperty(globalThis, "__TRUSTBRIDGE_BOOT__", { value: handed, configurable: true });
    vi.spyOn(performance, "getEntriesByType").mockReturnValue([{ type } as unknown as PerformanceEntry]);
  }

  afterEach(() => {
    delete global.__TRUSTBRIDGE_BOOT__;
    vi.restoreAllMocks();
  });

  it("takes what the window handed over on its first load, without IPC, and only once", async () => {
    hand("navigate");
    await expect(boot()).resolves.toEqual(handed);
    expect(invoke).not.toHaveBeenCalled();
    expect(global.__TRUSTBRIDGE_BOOT__).toBeUndefined();
    invoke.mockImplementation(backend);
    await expect(boot()).resolves.toEqual(fromRust);
    expect(invoke).toHaveBeenCalledWith("load_draft", undefined);
  });

  it("asks Rust after a reload: the handed draft may be older than the one autosaved since", async () => {
    hand("reload");
    invoke.mockImplementation(backend);
    await expect(boot()).resolves.toEqual(fromRust);
    expect(invoke).toHaveBeenCalledWith("list_profiles", undefined);
    expect(invoke).toHaveBeenCalledWith("load_draft", undefined);
  });

  it("asks Rust when nothing was handed over", async () => {
    invoke.mockImplementation(backend);
    await expect(boot()).resolves.toEqual(fromRust);
  });
});
