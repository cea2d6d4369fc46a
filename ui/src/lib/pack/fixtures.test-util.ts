// Role packs shaped like the built-in ones, as list_packs returns them (for unit tests).
import type { PackSummary } from "../ipc/bindings/PackSummary";
import type { PackVariable } from "../ipc/bindings/PackVariable";
import type { VarKind } from "../ipc/bindings/VarKind";

const v = (name: string, kind: VarKind, example: string, def: string | null = null): PackVariable => ({
  name,
  kind,
  description: `The ${name.toLowerCase().replace(/_/g, " ")}`,
  example,
  default: def,
  required: def === null,
});

export const MLSPACE: PackSummary = {
  id: "mlspace",
  display_name: "AWS MLSpace role pack",
  description: "Creates the IAM roles and policies of the MLSpace guide.",
  roles: ["{MLSPACE_NOTEBOOK_ROLE_NAME}", "{MLSPACE_APP_ROLE_NAME}", "{MLSPACE_SYSTEM_ROLE_NAME}", "mlspace-s3-reader-role", "mlspace-apigateway-cloudwatch-role"],
  variables: [
    v("AWS_PARTITION", "partition", "aws"),
    v("AWS_REGION", "region", "us-east-1"),
    v("AWS_ACCOUNT", "account_id", "123456789012"),
    v("MLSPACE_KMS_KEY_ID", "kms_key_id", "eeecf0d8-44f3-4b29-8b78-55de1b5dc153"),
    v("MLSPACE_PRIVATE_SUBNET_1", "subnet_id", "subnet-0a11b2c3333dd44e5"),
    v("MLSPACE_PRIVATE_SUBNET_2", "subnet_id", "subnet-0a11b2c3333dd44e6"),
    v("MLSPACE_PRIVATE_SUBNET_3", "subnet_id", "subnet-0a11b2c3333dd44e7"),
    v("MLSPACE_VPC_SECURITY_GROUP", "security_group_id", "sg-0123456789abcdef0"),
    v("EMR_DEFAULT_ROLE_ARN", "role_arn", "arn:aws:iam::123456789012:role/EMR_DefaultRole"),
    v("EMR_EC2_INSTANCE_ROLE_ARN", "role_arn", "arn:aws:iam::123456789012:role/EMR_EC2_DefaultRole"),
    v("MLSPACE_APP_ROLE_NAME", "role_name", "mlspace-app-role", "mlspace-app-role"),
    v("MLSPACE_SYSTEM_ROLE_NAME", "role_name", "mlspace-system-role", "mlspace-system-role"),
    v("MLSPACE_NOTEBOOK_ROLE_NAME", "role_name", "mlspace-notebook-role", "mlspace-notebook-role"),
    v("ENDPOINT_CONFIG_INSTANCE_CONSTRAINT_POLICY_ARN", "policy_arn", "arn:aws:iam::123456789012:policy/x"),
    v("JOB_INSTANCE_CONSTRAINT_POLICY_ARN", "policy_arn", "arn:aws:iam::123456789012:policy/y"),
  ],
};

export const SAGEMAKER: PackSummary = {
  id: "sagemaker-service-role",
  display_name: "SageMaker service role",
  description: "A SageMaker execution role.",
  roles: ["{ROLE_NAME}"],
  variables: [
    v("AWS_PARTITION", "partition", "aws", "aws"),
    v("AWS_ACCOUNT", "account_id", "123456789012"),
    v("ROLE_NAME", "role_name", "sagemaker-execution-role", "sagemaker-execution-role"),
    v("MANAGED_POLICY", "aws_managed_policy", "AmazonSageMakerReadOnly", "AmazonSageMakerFullAccess"),
    v("DATA_BUCKET", "bucket_name", "my-training-data"),
  ],
};

/** Every required MLSpace variable filled with its example. */
export function filledMlspace(): Record<string, string> {
  return Object.fromEntries(MLSPACE.variables.map((x) => [x.name, x.default ?? x.example]));
}
