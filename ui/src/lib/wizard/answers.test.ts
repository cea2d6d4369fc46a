import { describe, expect, it } from "vitest";
import {
  answersFromPlan, applyProfileDefaults, awsEventsAreDefault, applyRegistration, buildPlan, compactAnswers, emptyAnswers, externalIdPending,
  fieldId, fieldsForStep, focusId, inputFor, inputsForStep, problemsForStep, sensitiveValues, stepContext, stepForField,
  valueAt, VENDOR_API_KEY,
} from "./answers";
import { stepsFor } from "./steps";
import { CUSTOM, JFROG, MLCUBE } from "./fixtures.test-util";

function mlcubeAws() {
  const a = emptyAnswers();
  a.platform = "mlcube";
  applyProfileDefaults(a, MLCUBE, null);
  a.clouds = ["aws"];
  a.integration.project_id = "your_project_id";
  a.aws.account_id = " 123456789012 ";
  a.aws.external_id = "Zk3pQ9vX2mN7bR4tY8wL1cH6jD5sF0gA";
  a.aws.storage = [{ bucket: "data", prefix: "", kms_key_arn: "" }];
  return a;
}

describe("buildPlan", () => {
  it("builds the ML cube AWS plan with defaults, trimming and no blank optional fields", () => {
    expect(buildPlan(mlcubeAws(), MLCUBE)).toEqual({
      version: 1,
      platform: "mlcube",
      integration: { name: "CLOUD_01", project_id: "your_project_id", default: true },
      aws: {
        partition: "aws",
        account_id: "123456789012",
        region: "us-east-1",
        role_name: "mlcube-platform-access",
        role_path: "/",
        external_id: "Zk3pQ9vX2mN7bR4tY8wL1cH6jD5sF0gA",
        storage: [{ bucket: "data" }],
        events: [{ event_bus_name: "default" }],
      },
    });
  });

  it("leaves out unchosen clouds but keeps their answers", () => {
    const a = mlcubeAws();
    a.gcp.project_id = "my-project";
    expect(buildPlan(a, MLCUBE).gcp).toBeUndefined();
    a.clouds = ["aws", "gcp"];
    expect(buildPlan(a, MLCUBE).gcp).toEqual({
      project_id: "my-project",
      service_account: "ml3-platform-sa",
      storage: [],
      events: [],
    });
  });

  it("follows the profile: no external id or events for JFrog, vendor block for custom", () => {
    const a = mlcubeAws();
    a.platform = "jfrog-ml";
    applyProfileDefaults(a, JFROG, MLCUBE);
    const jf = buildPlan(a, JFROG).aws!;
    expect(jf.external_id).toBeUndefined();
    expect(jf.events).toEqual([]);
    expect(jf.role_name).toBe("qwak-access-role");

    a.platform = "custom";
    applyProfileDefaults(a, CUSTOM, JFROG);
    a.clouds = ["aws"];
    a.aws.vendor_account_id = "210987654321";
    a.aws.principal_patterns = "arn:aws:iam::210987654321:role/a-*\n\n  arn:aws:iam::210987654321:role/b  \n";
    expect(buildPlan(a, CUSTOM).aws!.vendor).toEqual({
      account_id: "210987654321",
      principal_patterns: ["arn:aws:iam::210987654321:role/a-*", "arn:aws:iam::210987654321:role/b"],
    });
  });

  it("a typed role name survives a change of vendor; a default one follows it", () => {
    const a = emptyAnswers();
    applyProfileDefaults(a, MLCUBE, null);
    expect(a.aws.role_name).toBe("mlcube-platform-access");
    applyProfileDefaults(a, CUSTOM, MLCUBE);
    expect(a.aws.role_name).toBe("vendor-platform-access");
    a.aws.role_name = "mine";
    applyProfileDefaults(a, MLCUBE, CUSTOM);
    expect(a.aws.role_name).toBe("mine");
  });

  it("a single-cloud vendor implies its cloud", () => {
    const a = emptyAnswers();
    applyProfileDefaults(a, JFROG, null);
    expect(a.clouds).toEqual(["aws"]);
    expect(stepContext(a, JFROG).clouds).toEqual(["aws"]);
  });
});

describe("rows", () => {
  it("compacting drops empty rows, keeps one, and keeps answer row i = plan row i", () => {
    const a = mlcubeAws();
    a.aws.storage = [
      { bucket: "", prefix: "", kms_key_arn: "" },
      { bucket: "b", prefix: "p/", kms_key_arn: "" },
      { bucket: " ", prefix: "", kms_key_arn: "" },
    ];
    a.aws.events = [{ name: "" }];
    compactAnswers(a);
    expect(a.aws.storage).toEqual([{ bucket: "b", prefix: "p/", kms_key_arn: "" }]);
    expect(a.aws.events).toEqual([{ name: "" }]);
    expect(buildPlan(a, MLCUBE).aws!.storage).toEqual([{ bucket: "b", prefix: "p/" }]);
    expect(buildPlan(a, MLCUBE).aws!.events).toEqual([]);
  });
});

describe("answersFromPlan", () => {
  it("round-trips a three-cloud plan", () => {
    const a = mlcubeAws();
    a.clouds = ["aws", "gcp", "azure"];
    a.aws.storage = [{ bucket: "b1", prefix: "x/", kms_key_arn: "" }, { bucket: "b2", prefix: "", kms_key_arn: "" }];
    Object.assign(a.gcp, { project_id: "p-123456", service_account: "ml3-platform-sa", storage: [{ name: "g" }], events: [{ name: "t" }] });
    Object.assign(a.azure, {
      tenant_id: "72f988bf-86f1-41af-91ab-2d7cd011db47",
      subscription_id: "0b1f6471-1bf0-4dda-aec3-cb9272f09590",
      resource_group: "rg",
      service_principal_name: "SP",
      storage: [{ storage_account: "acct", container: "c" }],
      events: [{ name: "" }],
    });
    const plan = buildPlan(a, MLCUBE);
    const back = answersFromPlan(JSON.parse(JSON.stringify(plan)));
    expect(buildPlan(back, MLCUBE)).toEqual(plan);
    expect(back.clouds).toEqual(["aws", "gcp", "azure"]);
  });

  it("never throws on junk from disk", () => {
    for (const junk of [null, 3, "x", [], { aws: 5 }, { aws: { storage: "no" } }, { integration: { name: 7 } }]) {
      expect(() => answersFromPlan(junk)).not.toThrow();
    }
    expect(answersFromPlan({ aws: { storage: [null, { bucket: 1 }] } }).aws.storage).toEqual([
      { bucket: "", prefix: "", kms_key_arn: "" },
    ]);
  });
});

describe("fields and routing", () => {
  const steps = stepsFor({ profileClouds: null, clouds: ["aws", "gcp", "azure"], publishesEvents: { aws: true, gcp: true, azure: true } });

  it("sends each step's own fields to validate_plan", () => {
    expect(fieldsForStep("start")).toEqual(["platform", "integration", "version"]);
    expect(fieldsForStep("aws-storage")).toEqual(["aws.storage"]);
    expect(fieldsForStep("azure-identity")).toContain("azure.tenant_id");
    expect(fieldsForStep("check")).toBe("all");
    expect(fieldsForStep("done")).toBeNull();
  });

  it("the clouds page shows only section-level problems", () => {
    const ps = [{ field: "plan" }, { field: "aws.account_id" }, { field: "gcp" }];
    expect(problemsForStep("clouds", ps)).toEqual([{ field: "plan" }, { field: "gcp" }]);
  });

  it("routes every field path to the step that asks for it", () => {
    expect(stepForField("integration.project_id", steps)).toBe("start");
    expect(stepForField("plan", steps)).toBe("clouds");
    expect(stepForField("aws.storage[2].kms_key_arn", steps)).toBe("aws-storage");
    expect(stepForField("aws.storage", steps)).toBe("aws-storage");
    expect(stepForField("aws.events[0].event_bus_name", steps)).toBe("aws-events");
    expect(stepForField("aws.trust_policy", steps)).toBe("aws-identity");
    expect(stepForField("profile.aws.principal_patterns[0]", steps)).toBe("aws-identity");
    expect(stepForField("gcp.service_account", steps)).toBe("gcp-identity");
    expect(stepForField("azure.storage[0].container", steps)).toBe("azure-storage");
    expect(stepForField("nonsense", steps)).toBeNull();
    expect(stepForField(null, steps)).toBeNull();
    const single = stepsFor({ profileClouds: ["aws"], clouds: ["aws"], publishesEvents: { aws: false, gcp: false, azure: false } });
    expect(stepForField("plan", single)).toBe("start");
    expect(stepForField("aws.events[0].event_bus_name", single)).toBeNull();
  });

  it("puts each error at the right input", () => {
    const a = mlcubeAws();
    a.aws.storage.push({ bucket: "b", prefix: "", kms_key_arn: "" });
    const inputs = inputsForStep("aws-storage", a, MLCUBE);
    expect(inputs).toEqual([
      "aws.storage[0].bucket", "aws.storage[0].prefix", "aws.storage[0].kms_key_arn",
      "aws.storage[1].bucket", "aws.storage[1].prefix", "aws.storage[1].kms_key_arn",
    ]);
    expect(inputFor("aws.storage[1].prefix", inputs)).toBe("aws.storage[1].prefix");
    expect(inputFor("aws.storage", inputs)).toBe("aws.storage[0].bucket");
    expect(inputFor("aws.storage[1]", inputs)).toBe("aws.storage[1].bucket");
    const id = inputsForStep("aws-identity", a, CUSTOM);
    expect(inputFor("aws.vendor.principal_patterns[1]", id)).toBe("aws.vendor.principal_patterns");
    expect(inputFor("aws.vendor", id)).toBe("aws.vendor.account_id");
    expect(inputFor("aws.trust_policy", id)).toBeNull();
    expect(inputsForStep("aws-identity", a, JFROG)).not.toContain("aws.external_id");
    expect(inputFor("plan", inputsForStep("clouds", a, MLCUBE))).toBe("clouds");
  });

  it("makes DOM ids and reads values back by path", () => {
    expect(fieldId("aws.storage[0].bucket")).toBe("f-aws-storage-0-bucket");
    expect(focusId("platform")).toBe("f-platform-0");
    expect(focusId("aws.account_id")).toBe("f-aws-account-id");
    const a = mlcubeAws();
    a.gcp.storage = [{ name: "gb" }];
    a.azure.storage = [{ storage_account: "sa", container: "c" }];
    expect(valueAt(a, "aws.account_id")).toBe(" 123456789012 ");
    expect(valueAt(a, "aws.storage[0].bucket")).toBe("data");
    expect(valueAt(a, "aws.events[0].event_bus_name")).toBe("default");
    expect(valueAt(a, "gcp.storage[0].bucket")).toBe("gb");
    expect(valueAt(a, "azure.storage[0].container")).toBe("c");
    expect(valueAt(a, "aws.storage[5].bucket")).toBe("");
    expect(valueAt(a, "integration.project_id")).toBe("your_project_id");
  });

  it("lists the values presenter mode hides", () => {
    const a = mlcubeAws();
    a.azure.tenant_id = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    expect(sensitiveValues(a)).toEqual([
      "123456789012",
      "Zk3pQ9vX2mN7bR4tY8wL1cH6jD5sF0gA",
      "72f988bf-86f1-41af-91ab-2d7cd011db47",
      "your_project_id",
    ]);
    // The customer's own resource names too, but not generic words ("data", "default").
    a.gcp.project_id = "acme-prod-4711";
    a.aws.storage = [{ bucket: "acme-training-data", prefix: "", kms_key_arn: "" }];
    a.azure.storage = [{ storage_account: "acmestorage01", container: "models" }];
    a.azure.resource_group = "rg-acme-ml";
    a.gcp.events = [{ name: "retrain-topic" }];
    const v = sensitiveValues(a);
    for (const want of ["acme-prod-4711", "acme-training-data", "acmestorage01", "models", "rg-acme-ml", "retrain-topic"]) {
      expect(v).toContain(want);
    }
    expect(v).not.toContain("default");
  });
});

describe("keyless sign-in (GCP Workload Identity Federation, Azure admin consent)", () => {
  function customGcpAzure() {
    const a = emptyAnswers();
    a.platform = "custom";
    applyProfileDefaults(a, CUSTOM, null);
    a.clouds = ["gcp", "azure"];
    a.integration.project_id = "acme-ml";
    a.gcp.project_id = "acme-data-prod";
    a.gcp.storage = [{ name: "acme-training" }];
    Object.assign(a.azure, { tenant_id: "72f988bf-86f1-41af-91ab-2d7cd011db47", subscription_id: "0b1f6471-1bf0-4dda-aec3-cb9272f09590", resource_group: "rg" });
    a.azure.storage = [{ storage_account: "acct", container: "c" }];
    return a;
  }

  it("is recommended (preselected) where the vendor supports it, and never offered where it does not", () => {
    const a = customGcpAzure();
    expect([a.gcp.access, a.azure.access]).toEqual(["keyless", "keyless"]);
    const steps = stepsFor(stepContext(a, CUSTOM));
    expect(steps).toContain("gcp-access");
    expect(steps).toContain("azure-access");
    expect(steps.indexOf("gcp-access")).toBe(steps.indexOf("gcp-identity") + 1);
    applyProfileDefaults(a, MLCUBE, CUSTOM);
    expect([a.gcp.access, a.azure.access]).toEqual(["secret", "secret"]);
    const ml = stepsFor(stepContext(a, MLCUBE));
    expect(ml.some((s) => s.endsWith("-access"))).toBe(false);
    expect(ml).toContain("credentials");
  });

  it("puts workload_identity / vendor_app_id in the plan and skips the credentials page when both are keyless", () => {
    const a = customGcpAzure();
    a.gcp.wif_vendor_account_id = " 210987654321 ";
    a.gcp.wif_vendor_role_name = "acme-platform-workers";
    a.azure.vendor_app_id = "11111111-2222-3333-4444-555555555555";
    const plan = buildPlan(a, CUSTOM);
    expect(plan.gcp!.workload_identity).toEqual({ vendor_aws_account_id: "210987654321", vendor_role_name: "acme-platform-workers" });
    expect(plan.azure!.vendor_app_id).toBe("11111111-2222-3333-4444-555555555555");
    expect(stepsFor(stepContext(a, CUSTOM))).not.toContain("credentials");
    // Round trip through the draft.
    const back = answersFromPlan(JSON.parse(JSON.stringify(plan)));
    expect(back.gcp.access).toBe("keyless");
    expect(buildPlan(back, CUSTOM)).toEqual(plan);
    // One cloud with a secret brings the credentials page back; its plan has no keyless field.
    a.azure.access = "secret";
    expect(stepsFor(stepContext(a, CUSTOM))).toContain("credentials");
    expect(buildPlan(a, CUSTOM).azure!.vendor_app_id).toBeUndefined();
  });

  it("routes keyless errors to the sign-in page and its fields", () => {
    const a = customGcpAzure();
    const steps = stepsFor(stepContext(a, CUSTOM));
    expect(stepForField("gcp.workload_identity.vendor_role_name", steps)).toBe("gcp-access");
    expect(stepForField("azure.vendor_app_id", steps)).toBe("azure-access");
    expect(fieldsForStep("gcp-access")).toEqual(["gcp.workload_identity"]);
    const inputs = inputsForStep("gcp-access", a, CUSTOM);
    expect(inputFor("gcp.workload_identity.vendor_aws_account_id", inputs)).toBe("gcp.workload_identity.vendor_aws_account_id");
    a.gcp.wif_vendor_role_name = "workers";
    expect(valueAt(a, "gcp.workload_identity.vendor_role_name")).toBe("workers");
    expect(focusId("gcp.access")).toBe("f-gcp-access-0");
    a.gcp.wif_vendor_account_id = "210987654321";
    expect(sensitiveValues(a)).toContain("210987654321");
  });
});

describe("registration with the vendor's API (ML cube)", () => {
  it("the plan carries the API URL and the vendor's ids; the external id is left out until issued", () => {
    const a = mlcubeAws();
    a.aws.external_id = "";
    a.integration.api_url = " https://api.mlcube.example ";
    const plan = buildPlan(a, MLCUBE);
    expect(plan.integration.api_url).toBe("https://api.mlcube.example");
    expect(plan.aws && "external_id" in plan.aws).toBe(false);
    expect(plan.aws && "vendor_credentials_id" in plan.aws).toBe(false);
    expect(externalIdPending(a, MLCUBE)).toBe(true);
  });

  it("takes what registration recorded into the answers, and nothing else", () => {
    const a = mlcubeAws();
    a.clouds = ["aws", "gcp"];
    a.aws.external_id = "";
    const recorded = buildPlan(a, MLCUBE);
    recorded.aws!.external_id = "issued-by-mlcube-1";
    recorded.aws!.vendor_credentials_id = "cred-1";
    recorded.aws!.role_name = "changed-by-someone-else";
    recorded.gcp!.vendor_credentials_id = "cred-2";
    applyRegistration(a, recorded);
    expect(a.aws.external_id).toBe("issued-by-mlcube-1");
    expect(a.aws.role_name).toBe("mlcube-platform-access");
    const plan = buildPlan(a, MLCUBE);
    expect(plan.aws).toMatchObject({ external_id: "issued-by-mlcube-1", vendor_credentials_id: "cred-1" });
    expect(plan.gcp).toMatchObject({ vendor_credentials_id: "cred-2" });
    expect(externalIdPending(a, MLCUBE)).toBe(false);
    // …and they survive a round trip through the draft.
    const back = answersFromPlan(JSON.parse(JSON.stringify(plan)));
    expect(buildPlan(back, MLCUBE)).toEqual(plan);
  });

  it("a vendor without the API gets none of these fields", () => {
    const a = mlcubeAws();
    a.platform = "jfrog-ml";
    a.integration.api_url = "https://x.example";
    a.aws.vendor_credentials_id = "cred-1";
    const plan = buildPlan(a, JFROG);
    expect(plan.integration.api_url).toBeUndefined();
    expect(plan.aws?.vendor_credentials_id).toBeUndefined();
  });

  it("the account page has no external id field; the Connect page owns the URL and the key", () => {
    const a = mlcubeAws();
    expect(inputsForStep("aws-identity", a, MLCUBE)).not.toContain("aws.external_id");
    expect(inputsForStep("aws-identity", a, CUSTOM)).toContain("aws.external_id");
    expect(inputsForStep("vendor", a, MLCUBE)).toEqual(["integration.api_url", VENDOR_API_KEY, "integration.project_id"]);
    expect(inputsForStep("vendor", a, { ...MLCUBE, registration: { ...MLCUBE.registration!, needs_api_url: false, api_url: "https://api.example" } })).toEqual([
      VENDOR_API_KEY,
      "integration.project_id",
      "integration.api_url",
    ]);
    expect(fieldsForStep("vendor")).toEqual(["integration.api_url", "integration.project_id"]);
    // The project is listed with the key, on the Connect page; a vendor without an API asks it first.
    expect(inputsForStep("start", a, MLCUBE)).toEqual(["platform", "integration.name"]);
    expect(inputsForStep("start", a, CUSTOM)).toContain("integration.project_id");
    expect(fieldsForStep("start", MLCUBE)).not.toContain("integration");
    expect(fieldsForStep("start", CUSTOM)).toContain("integration");
    const steps = stepsFor(stepContext(a, MLCUBE));
    expect(stepForField("integration.project_id", steps)).toBe("vendor");
    expect(stepForField("integration.project_id", stepsFor(stepContext(a, CUSTOM)))).toBe("start");
    expect(stepForField("integration.api_url", steps)).toBe("vendor");
    expect(stepForField(VENDOR_API_KEY, steps)).toBe("vendor");
    expect(valueAt(a, VENDOR_API_KEY)).toBe("");
  });
});

describe("the events answer's default (the events page is skipped when it needs no input)", () => {
  it("AWS: exactly the single bus named default, blank rows ignored", () => {
    const a = mlcubeAws();
    expect(awsEventsAreDefault(emptyAnswers())).toBe(true);
    expect(stepContext(a, MLCUBE).folded).toEqual({ "aws-events": true });
    a.aws.events = [{ name: " default " }, { name: "" }];
    expect(awsEventsAreDefault(a)).toBe(true);
    for (const events of [[], [{ name: "" }], [{ name: "default" }, { name: "orders" }], [{ name: "orders" }], [{ name: "Default" }]]) {
      a.aws.events = events;
      expect(awsEventsAreDefault(a)).toBe(false);
    }
  });

  it("skips the page for ML cube on AWS with the default, keeps it otherwise; GCP and Azure have no default", () => {
    const a = mlcubeAws();
    a.clouds = ["aws", "gcp", "azure"];
    const steps = stepsFor(stepContext(a, MLCUBE));
    expect(steps).not.toContain("aws-events");
    expect(steps).toContain("gcp-events");
    expect(steps).toContain("azure-events");
    a.aws.events = [{ name: "orders" }];
    expect(stepsFor(stepContext(a, MLCUBE))).toContain("aws-events");
  });
});
