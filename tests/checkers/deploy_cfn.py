"""Deploys exported CloudFormation templates to a moto server with the real aws CLI, the way the
template tells a customer to (its own `# Deploy: aws cloudformation deploy ...` line), then reads
back with IAM calls everything the account holds: every role (path, description, trust policy,
inline policies, attached policies, permissions boundary, tags), every customer-managed policy
(description, default version's document, tags) and the stack's resources.

    deploy_cfn.py ENDPOINT AWS_CLI < jobs.json   -> [result, ...] (JSON, one per job)

    job:    {"template": PATH, "region": REGION, "plant": null | PLANT}
    result: {"status": STACK_STATUS, "deployed": {...}} or {"error": "..."}

The account is reset (moto's /moto-api/reset) before each job, so a read-back is the whole account,
not only what the stack says it made: a resource the template should not have shows up.

PLANT (a control for tests/tests/deploy_cfn.rs: the comparison there must reject each):
    extra-role             one more AWS::IAM::Role
    extra-inline-policy    an AWS::IAM::Policy putting one more inline policy on the first role
    extra-managed-policy   an AWS::IAM::ManagedPolicy attached to the first role (`Roles`)
    extra-attachment       one more ARN in the first role's ManagedPolicyArns
    extra-action           one more action in the first policy document's first statement
    unknown-attachment     a ManagedPolicyArns entry naming an AWS-managed policy that does not exist

moto (5.2) does not implement `ManagedPolicyArns` of AWS::IAM::Role (it creates the role without
those attachments: Role.create_from_cloudformation_json never reads it). Those attachments are
therefore read from the deployed template and resolved against the deployed stack (Ref -> the
resource's physical id, i.e. the managed policy's ARN; Fn::Sub -> the stack's partition, account
and region), then added to what IAM lists. If moto ever lists one of them itself, this script stops
with an error saying so, rather than count it twice.
"""
import ast
import copy
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request

import boto3
import yaml

ENDPOINT, AWS_CLI = sys.argv[1], sys.argv[2]
CREDS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


def env(region):
    e = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    e.update(
        AWS_ENDPOINT_URL=ENDPOINT,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION=region,
        AWS_CONFIG_FILE="/dev/null",
        AWS_SHARED_CREDENTIALS_FILE="/dev/null",
        AWS_PAGER="",
    )
    return e


def reset():
    req = urllib.request.Request(ENDPOINT + "/moto-api/reset", data=b"", method="POST")
    urllib.request.urlopen(req, timeout=10).read()


def deploy_line(text):
    """The template's own deploy command, as argv, with the aws CLI of the cache."""
    for line in text.splitlines():
        if line.startswith("# Deploy: "):
            argv = shlex.split(line[len("# Deploy: "):])
            if argv[:3] != ["aws", "cloudformation", "deploy"]:
                raise SystemExit(f"the template's Deploy line is not `aws cloudformation deploy`: {line}")
            return [AWS_CLI] + argv[1:]
    raise SystemExit("the template has no `# Deploy:` line")


def first(resources, rtype):
    return next(lid for lid, r in resources.items() if r["Type"] == rtype)


def plant(doc, kind):
    res = doc["Resources"]
    role = first(res, "AWS::IAM::Role")
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
    grant = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::planted-bucket/*"}]}
    if kind == "extra-role":
        res["PlantedExtraRole"] = {"Type": "AWS::IAM::Role", "Properties": {"RoleName": "planted-extra-role", "AssumeRolePolicyDocument": trust}}
    elif kind == "extra-inline-policy":
        res["PlantedInline"] = {"Type": "AWS::IAM::Policy", "Properties": {"PolicyName": "planted-inline", "PolicyDocument": grant, "Roles": [{"Ref": role}]}}
    elif kind == "extra-managed-policy":
        res["PlantedManaged"] = {
            "Type": "AWS::IAM::ManagedPolicy",
            "Properties": {"ManagedPolicyName": "planted-managed", "PolicyDocument": grant, "Roles": [{"Ref": role}]},
        }
    elif kind == "extra-attachment":
        props = res[role]["Properties"]
        props.setdefault("ManagedPolicyArns", []).append({"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/ReadOnlyAccess"})
    elif kind == "unknown-attachment":
        props = res[role]["Properties"]
        props.setdefault("ManagedPolicyArns", []).append({"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/ReadOnlyAcess"})
    elif kind == "extra-action":
        docs = [p["PolicyDocument"] for r in res.values() if r["Type"] == "AWS::IAM::Role" for p in r["Properties"].get("Policies", [])]
        docs += [r["Properties"]["PolicyDocument"] for r in res.values() if r["Type"] == "AWS::IAM::ManagedPolicy"]
        st = docs[0]["Statement"][0]
        actions = st["Action"] if isinstance(st["Action"], list) else [st["Action"]]
        st["Action"] = actions + ["s3:PutObject"]
    else:
        raise SystemExit(f"unknown plant {kind}")
    return doc


def policy(v):
    """A policy document as IAM returned it: a dict (boto3 decoded it), URL-encoded JSON, or, for
    a stack's inline policies on moto, a Python repr of the dict."""
    if isinstance(v, dict):
        return v
    s = urllib.parse.unquote(v) if v.lstrip().startswith("%7B") else v
    try:
        return json.loads(s)
    except ValueError:
        return ast.literal_eval(s)


def pages(client, op, key, **kw):
    out = []
    for page in client.get_paginator(op).paginate(**kw):
        out.extend(page[key])
    return out


def aws_managed_arns():
    """The ARNs of AWS's managed policies in moto's catalog (what moto serves when started with
    MOTO_IAM_LOAD_MANAGED_POLICIES=true; read here directly, as loading them on every reset of
    the server triples this test's time)."""
    from moto.iam.aws_managed_policies import aws_managed_policies_data

    return {f"arn:aws:iam::aws:policy{p['Path']}{name}" for name, p in json.loads(aws_managed_policies_data).items()}


def template_attachments(iam, doc, stack_resources, stack_id):
    """ManagedPolicyArns of each role in the deployed template, resolved against the stack; each
    must name a policy IAM has (the stack's own, or one of AWS's managed policies), as a real
    deploy fails on one it does not."""
    _, partition, _, region, account, _ = stack_id.split(":", 5)
    physical = {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in stack_resources}
    params = {k: v.get("Default") for k, v in doc.get("Parameters", {}).items()}
    pseudo = {"AWS::Partition": partition, "AWS::Region": region, "AWS::AccountId": account, "AWS::URLSuffix": "amazonaws.com"}

    def ev(v):
        if isinstance(v, str):
            return v
        if set(v) == {"Ref"}:
            name = v["Ref"]
            got = physical.get(name, params.get(name, pseudo.get(name)))
            if got is None:
                raise SystemExit(f"unresolvable Ref {name}")
            return got
        if set(v) == {"Fn::Sub"} and isinstance(v["Fn::Sub"], str):
            return re.sub(r"\$\{([^}]+)\}", lambda m: ev({"Ref": m.group(1)}), v["Fn::Sub"])
        raise SystemExit(f"ManagedPolicyArns entry this checker cannot resolve: {v}")

    out = {}
    for lid, r in doc["Resources"].items():
        if r["Type"] == "AWS::IAM::Role" and r["Properties"].get("ManagedPolicyArns"):
            arns = [ev(a) for a in r["Properties"]["ManagedPolicyArns"]]
            for arn in arns:
                if arn.startswith(f"arn:{partition}:iam::aws:policy/"):
                    if arn.replace(f"arn:{partition}:", "arn:aws:", 1) not in AWS_MANAGED:
                        raise SystemExit(f"{lid}: ManagedPolicyArns names {arn}, which is not an AWS-managed policy")
                else:
                    try:
                        iam.get_policy(PolicyArn=arn)
                    except iam.exceptions.NoSuchEntityException:
                        raise SystemExit(f"{lid}: ManagedPolicyArns names {arn}, a policy IAM does not have")
            out[physical[lid]] = arns
    return out


AWS_MANAGED = aws_managed_arns()


def read_back(region, stack, doc):
    iam = boto3.client("iam", endpoint_url=ENDPOINT, region_name=region, **CREDS)
    cfn = boto3.client("cloudformation", endpoint_url=ENDPOINT, region_name=region, **CREDS)
    st = cfn.describe_stacks(StackName=stack)["Stacks"][0]
    stack_resources = cfn.describe_stack_resources(StackName=stack)["StackResources"]
    from_template = template_attachments(iam, doc, stack_resources, st["StackId"])
    roles = {}
    for summary in pages(iam, "list_roles", "Roles"):
        name = summary["RoleName"]
        r = iam.get_role(RoleName=name)["Role"]
        inline = {p: policy(iam.get_role_policy(RoleName=name, PolicyName=p)["PolicyDocument"]) for p in pages(iam, "list_role_policies", "PolicyNames", RoleName=name)}
        listed = [a["PolicyArn"] for a in pages(iam, "list_attached_role_policies", "AttachedPolicies", RoleName=name)]
        declared = from_template.get(name, [])
        both = sorted(set(listed) & set(declared))
        if both:
            raise SystemExit(f"moto now implements ManagedPolicyArns ({name}: {both}): drop the template fallback in deploy_cfn.py")
        tags = {t["Key"]: t["Value"] for t in pages(iam, "list_role_tags", "Tags", RoleName=name)}
        roles[name] = {
            "path": r["Path"],
            "description": r.get("Description"),
            "trust": policy(r["AssumeRolePolicyDocument"]),
            "inline": inline,
            "attached": sorted(listed + declared),
            "boundary": r.get("PermissionsBoundary", {}).get("PermissionsBoundaryArn"),
            "tags": tags,
        }
    managed = {}
    for p in pages(iam, "list_policies", "Policies", Scope="Local"):
        full = iam.get_policy(PolicyArn=p["Arn"])["Policy"]
        version = iam.get_policy_version(PolicyArn=p["Arn"], VersionId=full["DefaultVersionId"])["PolicyVersion"]
        managed[full["PolicyName"]] = {
            "arn": full["Arn"],
            "path": full["Path"],
            "description": full.get("Description"),
            "document": policy(version["Document"]),
            "tags": {t["Key"]: t["Value"] for t in pages(iam, "list_policy_tags", "Tags", PolicyArn=p["Arn"])},
        }
    return st["StackStatus"], {
        "roles": roles,
        "managed": managed,
        "stack_resources": sorted([r["ResourceType"], r["PhysicalResourceId"]] for r in stack_resources),
    }


def run(job, tmp):
    reset()
    text = open(job["template"]).read()
    argv = deploy_line(text)
    doc = yaml.safe_load(text)
    path = job["template"]
    if job.get("plant"):
        doc = plant(copy.deepcopy(doc), job["plant"])
        path = os.path.join(tmp, f"planted-{job['plant']}.json")
        with open(path, "w") as f:
            json.dump(doc, f)
    i = argv.index("--template-file")
    argv[i + 1] = path
    stack = argv[argv.index("--stack-name") + 1]
    region = argv[argv.index("--region") + 1] if "--region" in argv else job["region"]
    if "--s3-bucket" in argv:
        # Over CloudFormation's 51,200-byte limit the Deploy line names a bucket of the customer's:
        # make one, as the customer would have, and deploy through it.
        bucket = "trustbridge-cfn-templates"
        s3 = boto3.client("s3", endpoint_url=ENDPOINT, region_name=region, **CREDS)
        kw = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
        s3.create_bucket(Bucket=bucket, **kw)
        argv[argv.index("--s3-bucket") + 1] = bucket
    e = env(region)
    if "--s3-bucket" in argv:
        # moto's CloudFormation finds the uploaded template by the URL the aws CLI builds from the
        # endpoint, and parses a bucket-in-path URL only for "localhost" (or *amazonaws.com) hosts.
        e["AWS_ENDPOINT_URL"] = ENDPOINT.replace("127.0.0.1", "localhost")
    o = subprocess.run(argv, env=e, capture_output=True, text=True, timeout=120)
    if o.returncode != 0:
        return {"error": f"{' '.join(argv[1:])} exited {o.returncode}:\n{o.stdout}\n{o.stderr}"}
    status, deployed = read_back(region, stack, doc)
    return {"status": status, "region": region, "deployed": deployed}


def main():
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        for job in json.load(sys.stdin):
            try:
                out.append(run(job, tmp))
            except SystemExit as e:
                out.append({"error": str(e)})
            except Exception as e:  # reported per job, so the test names the failing template
                out.append({"error": f"{type(e).__name__}: {e}"})
    print(json.dumps(out))


if __name__ == "__main__":
    main()
