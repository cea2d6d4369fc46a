// The role-pack path's pure logic: the plan sent to Rust, labels, hints, groups and messages.
import { describe, expect, it } from "vitest";
import {
  buildPackPlan, groupVariables, initialValues, inputWidth, nextStep, otherMessage, packDraftOf, packStepTitle, previousStep,
  sensitivePackValues, variableHint, variableLabel, variableMessage, variableOf, variablePath,
} from "./pack";
import { MLSPACE, SAGEMAKER } from "./fixtures.test-util";
import type { IpcError } from "../ipc/index";

describe("the pack plan", () => {
  it("trims every value and leaves empty ones out (Rust then uses the default or reports the placeholder)", () => {
    expect(buildPackPlan("mlspace", { AWS_ACCOUNT: " 123456789012 ", AWS_REGION: "", MLSPACE_APP_ROLE_NAME: "  " })).toEqual({
      version: 1,
      pack: "mlspace",
      variables: { AWS_ACCOUNT: "123456789012" },
    });
  });

  it("starts from the pack's defaults, everything else empty", () => {
    const values = initialValues(MLSPACE);
    expect(Object.keys(values)).toHaveLength(MLSPACE.variables.length);
    expect(values.MLSPACE_APP_ROLE_NAME).toBe("mlspace-app-role");
    expect(values.AWS_ACCOUNT).toBe("");
  });

  it("walks the five pages in order: the set-up question after Check your answers, as in the vendor wizard", () => {
    expect(nextStep("pack-choose")).toBe("pack-variables");
    expect(nextStep("pack-check")).toBe("pack-route");
    expect(nextStep("pack-route")).toBe("pack-export");
    expect(previousStep("pack-export")).toBe("pack-route");
    expect(nextStep("pack-export")).toBeNull();
    expect(previousStep("pack-variables")).toBe("pack-choose");
    expect(previousStep("pack-choose")).toBeNull();
  });

  it("maps variables to field paths and back", () => {
    expect(variablePath("AWS_ACCOUNT")).toBe("variables.AWS_ACCOUNT");
    expect(variableOf("variables.AWS_ACCOUNT")).toBe("AWS_ACCOUNT");
    expect(variableOf("pack.roles[0].name")).toBeNull();
    expect(variableOf(null)).toBeNull();
  });
});

describe("labels, hints and groups", () => {
  it("gives known variables a short label and words any other name", () => {
    expect(variableLabel("AWS_ACCOUNT")).toBe("AWS account ID");
    expect(variableLabel("MLSPACE_PRIVATE_SUBNET_2")).toBe("Private subnet 2");
    expect(variableLabel("MY_VPC_ENDPOINT_ID")).toBe("My VPC endpoint ID");
    expect(variableLabel("K8S_CLUSTER_NAME")).toBe("Kubernetes cluster name");
    expect(variableLabel("MLSPACE_LOG_BUCKET_ARN")).toBe("MLSpace log bucket ARN");
  });

  it("hints with the pack's description, an example or the default, and the placeholder it fills", () => {
    const account = MLSPACE.variables.find((v) => v.name === "AWS_ACCOUNT")!;
    expect(variableHint(account)).toBe("The aws account. For example, 123456789012. Fills {AWS_ACCOUNT}.");
    const app = MLSPACE.variables.find((v) => v.name === "MLSPACE_APP_ROLE_NAME")!;
    expect(variableHint(app)).toContain("Leave it as mlspace-app-role unless you need another.");
    expect(variableHint(app)).toContain("{MLSPACE_APP_ROLE_NAME}");
  });

  it("groups every variable exactly once, in the pack's order within a group", () => {
    for (const pack of [MLSPACE, SAGEMAKER]) {
      const groups = groupVariables(pack);
      const names = groups.flatMap((g) => g.variables.map((v) => v.name));
      expect(names.slice().sort()).toEqual(pack.variables.map((v) => v.name).sort());
      expect(groups.every((g) => g.variables.length > 0)).toBe(true);
    }
    const titles = groupVariables(MLSPACE).map((g) => [g.title, g.variables.map((v) => v.name)]);
    expect(titles).toEqual([
      ["Where the roles are created", ["AWS_PARTITION", "AWS_REGION", "AWS_ACCOUNT"]],
      ["Role names", ["MLSPACE_APP_ROLE_NAME", "MLSPACE_SYSTEM_ROLE_NAME", "MLSPACE_NOTEBOOK_ROLE_NAME"]],
      ["Network", ["MLSPACE_PRIVATE_SUBNET_1", "MLSPACE_PRIVATE_SUBNET_2", "MLSPACE_PRIVATE_SUBNET_3", "MLSPACE_VPC_SECURITY_GROUP"]],
      ["Encryption", ["MLSPACE_KMS_KEY_ID"]],
      [
        "Existing roles and policies",
        ["EMR_DEFAULT_ROLE_ARN", "EMR_EC2_INSTANCE_ROLE_ARN", "ENDPOINT_CONFIG_INSTANCE_CONSTRAINT_POLICY_ARN", "JOB_INSTANCE_CONSTRAINT_POLICY_ARN"],
      ],
    ]);
  });

  it("sizes inputs by kind", () => {
    expect(inputWidth("account_id")).toBe(20);
    expect(inputWidth("role_arn")).toBeUndefined();
  });
});

describe("messages", () => {
  const required: IpcError = {
    code: "validation.variables.AWS_ACCOUNT",
    message: "variables.AWS_ACCOUNT: required: The account (unfilled placeholder {AWS_ACCOUNT}) (got ''); for example '123456789012'",
    field: "variables.AWS_ACCOUNT",
    fix: "for example '123456789012'",
  };

  it("asks for an empty variable by its label", () => {
    expect(variableMessage(required, "")).toBe("Enter the AWS account ID.");
    expect(variableMessage({ ...required, field: "variables.MLSPACE_PRIVATE_SUBNET_1" }, " ")).toBe("Enter private subnet 1.");
  });

  it("words Rust's rule about the variable by its label, never the value typed or the field path", () => {
    const invalid: IpcError = {
      code: "validation.variables.MLSPACE_PRIVATE_SUBNET_2",
      message: "variables.MLSPACE_PRIVATE_SUBNET_2: a subnet id looks like subnet-0123456789abcdef0 (got 'subnet-XYZ')",
      field: "variables.MLSPACE_PRIVATE_SUBNET_2",
      fix: null,
    };
    // By the variable's kind, the rule's subject is the variable itself…
    expect(variableMessage(invalid, "subnet-XYZ", "subnet_id")).toBe("Enter private subnet 2 in the correct format, like subnet-0123456789abcdef0.");
    // …else (or for a rule about a part of the value) it reads as Rust states it, cleaned up.
    expect(variableMessage(invalid, "subnet-XYZ")).toBe("A subnet ID looks like subnet-0123456789abcdef0.");
    const partOf: IpcError = {
      code: "validation.variables.EMR_DEFAULT_ROLE_ARN",
      message: "variables.EMR_DEFAULT_ROLE_ARN: an AWS account id is exactly 12 digits (got 'arn:aws:iam::1:role/x')",
      field: "variables.EMR_DEFAULT_ROLE_ARN",
      fix: null,
    };
    expect(variableMessage(partOf, "arn:aws:iam::1:role/x", "role_arn")).toBe("An AWS account ID is exactly 12 digits.");
    const text: IpcError = { ...partOf, message: "variables.EMR_DEFAULT_ROLE_ARN: must not contain braces, quotes or backslashes (got '{')" };
    expect(variableMessage(text, "{", "text")).toBe("The EMR service role ARN must not contain braces, quotes or backslashes.");
  });

  it("says which name the pack makes a value breaks, without the value or the pack's field path", () => {
    const breaks: IpcError = {
      code: "validation.variables.MLSPACE_APP_ROLE_NAME",
      message:
        "variables.MLSPACE_APP_ROLE_NAME: makes the policy name at pack.roles[0].inline_policies[0].name invalid: a policy name may contain only letters, digits and + = , . @ _ - (got 'two words'); filled in, the policy name is 'two words-data'",
      field: "variables.MLSPACE_APP_ROLE_NAME",
      fix: "filled in, the policy name is 'two words-data'",
    };
    const said = variableMessage(breaks, "two words", "text");
    expect(said).toBe(
      "The application role name makes the policy name invalid. A policy name may contain only letters, digits and + = , . @ _ -.",
    );
    expect(said).not.toMatch(/two words|pack\.roles/);
  });

  it("asks to choose a pack", () => {
    expect(otherMessage({ code: "validation.pack", message: "pack: choose one … (got '')", field: "pack", fix: null })).toBe(
      "Select the role pack to deploy.",
    );
    expect(otherMessage({ code: "validation.pack.roles.name", message: "pack.roles[1].name: too long", field: "pack.roles[1].name", fix: null })).toBe(
      "Too long.",
    );
  });

  it("hides account ids and KMS keys in presenter mode", () => {
    expect(sensitivePackValues(MLSPACE, { AWS_ACCOUNT: "123456789012", MLSPACE_KMS_KEY_ID: "k-1234", AWS_REGION: "us-east-1" })).toEqual([
      "123456789012",
      "k-1234",
    ]);
    expect(sensitivePackValues(null, {})).toEqual([]);
  });
});

describe("the set-up question in the pack path", () => {
  it("titles the last page after the route", () => {
    expect(packStepTitle("pack-route")).toBe("How to set up");
    expect(packStepTitle("pack-export", "apply")).toBe("Apply to AWS");
    expect(packStepTitle("pack-export", "export")).toBe("Export the setup files");
  });

  it("a saved draft remembers the route; anything else is no answer", () => {
    expect(packDraftOf({ version: 1, pack: "mlspace", variables: {}, route: "apply" })?.route).toBe("apply");
    expect(packDraftOf({ version: 1, pack: "mlspace", variables: {}, route: "export" })?.route).toBe("export");
    expect(packDraftOf({ version: 1, pack: "mlspace", variables: {} })?.route).toBeNull();
    expect(packDraftOf({ version: 1, pack: "mlspace", variables: {}, route: "both" })?.route).toBeNull();
  });
});
