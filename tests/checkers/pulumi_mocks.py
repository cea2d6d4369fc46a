"""Runs an exported Pulumi Python program with the real `pulumi` SDK and the real provider SDKs
(`pulumi-aws`, `pulumi-gcp`, `pulumi-azuread`, `pulumi-azure-native`) under Pulumi's mocks
(`pulumi.runtime.set_mocks`; no Pulumi CLI, no cloud), records every resource the program
registers (type token + inputs) and every invoke, and prints, as JSON, what those resources would
make in the cloud:

    pulumi_mocks.py PROGRAM ACCOUNT PARTITION REQUIREMENTS   (with the Python of $TRUSTBRIDGE_CACHE/pulumi)

    -> {"state": {...}, "exports": {...}, "sdks": {name: version}, "resources": [...], "invokes": [...],
        "logs": [...]} or {"error": "..."} (exit 1)

REQUIREMENTS is the bundle's requirements.txt next to the program: the installed SDKs must be
versions it allows, or the run proves nothing about what a customer installs.

The state is built by reading each resource the way its provider would, consuming every input:
a resource type, an invoke or an input this file does not know is an error (an unknown input
could grant more, e.g. `managed_policy_arns` on a role), so nothing the program registers goes
unread. The real SDKs raise on a wrong argument name or a missing required argument (TypeError
from the resource's constructor): also an error.

The mocks answer what the clouds compute: an IAM role's id is its name and its ARN
`arn:P:iam::ACCOUNT:role{path}{name}`, a policy's id and ARN `arn:P:iam::ACCOUNT:policy{path}{name}`;
a service account's email `{account_id}@{project}.iam.gserviceaccount.com` and name
`projects/{project}/serviceAccounts/{email}`; a custom role's name `projects/{project}/roles/{id}`;
`getProject`'s number is the token PROJECT_NUMBER (what the bundle's JSON documents write for
it); an Entra application's client id is `client-id-of-app:{display name}`, a service principal's
object id `object-id-of-sp:{client id}`.

State shapes:
    aws:   {"roles": {name: {path, description, trust, inline: {name: doc}, attached: [arn], boundary, tags}},
            "managed": {name: {arn, path, description, document, tags}}}
    gcp:   {"service_accounts": {email: {project, account_id, display_name}},
            "custom_roles": {name: {title, description, stage, includedPermissions}},
            "bindings": [[resource, role, member]], "pools": {id: {project, display_name}},
            "providers": {"pool/provider": {project, attribute_mapping, attribute_condition, aws_account_id}}}
    azure: {"applications": {display_name: {}}, "service_principals": {client_id: {}},
            "role_assignments": [[role_definition_id, scope, principal_type, "sp:" + client_id]]}
"""
import asyncio
import json
import logging
import runpy
import sys
import traceback

import pulumi

PROGRAM, ACCOUNT, PARTITION, REQUIREMENTS = sys.argv[1:5]
RESOURCES, INVOKES, LOGS = [], [], []


def computed(typ, name, inputs):
    """(id, outputs) as the cloud would answer for a new resource."""
    out = dict(inputs)
    rid = f"{name}-id"
    if typ == "aws:iam/role:Role":
        rid = out["name"] = inputs.get("name", f"{name}-autonamed")
        out["arn"] = f"arn:{PARTITION}:iam::{ACCOUNT}:role{inputs.get('path', '/')}{rid}"
    elif typ == "aws:iam/policy:Policy":
        out["name"] = inputs.get("name", f"{name}-autonamed")
        rid = out["arn"] = f"arn:{PARTITION}:iam::{ACCOUNT}:policy{inputs.get('path', '/')}{out['name']}"
    elif typ == "gcp:serviceaccount/account:Account":
        out["email"] = f"{inputs.get('accountId')}@{inputs.get('project')}.iam.gserviceaccount.com"
        rid = out["name"] = f"projects/{inputs.get('project')}/serviceAccounts/{out['email']}"
    elif typ == "gcp:projects/iAMCustomRole:IAMCustomRole":
        rid = out["name"] = f"projects/{inputs.get('project')}/roles/{inputs.get('roleId')}"
    elif typ == "gcp:iam/workloadIdentityPool:WorkloadIdentityPool":
        rid = out["name"] = f"projects/{inputs.get('project')}/locations/global/workloadIdentityPools/{inputs.get('workloadIdentityPoolId')}"
    elif typ == "azuread:index/application:Application":
        out["clientId"] = f"client-id-of-app:{inputs.get('displayName')}"
    elif typ == "azuread:index/servicePrincipal:ServicePrincipal":
        out["objectId"] = f"object-id-of-sp:{inputs.get('clientId')}"
    return rid, out


class Mocks(pulumi.runtime.Mocks):
    def new_resource(self, args):
        RESOURCES.append({"type": args.typ, "name": args.name, "inputs": args.inputs, "provider": args.provider})
        return list(computed(args.typ, args.name, args.inputs))

    def call(self, args):
        INVOKES.append({"token": args.token, "args": args.args})
        if args.token == "gcp:organizations/getProject:getProject":
            return {"number": "PROJECT_NUMBER", "projectId": args.args.get("projectId")}
        raise Exception(f"invoke this checker does not know: {args.token}")


class Inputs:
    """A resource's inputs; every key must be taken, or the resource is not fully understood."""

    def __init__(self, r):
        self.r, self.left = r, dict(r["inputs"])

    def take(self, key, default=KeyError):
        if key in self.left:
            return self.left.pop(key)
        if default is KeyError:
            raise ValueError(f"{self.r['type']} {self.r['name']!r}: required input {key!r} missing")
        return default

    def done(self):
        if self.left:
            raise ValueError(f"{self.r['type']} {self.r['name']!r}: inputs this checker does not understand: {sorted(self.left)}")


def aws_state(resources):
    roles, managed = {}, {}
    order = ["aws:iam/role:Role", "aws:iam/policy:Policy", "aws:iam/rolePolicy:RolePolicy", "aws:iam/rolePolicyAttachment:RolePolicyAttachment"]
    for r in sorted(resources, key=lambda r: order.index(r["type"]) if r["type"] in order else -1):
        i = Inputs(r)
        t = r["type"]
        if t == "aws:iam/role:Role":
            name = i.take("name")
            if name in roles:
                raise ValueError(f"role {name} declared twice")
            roles[name] = {
                "path": i.take("path", "/"),
                "description": i.take("description", None),
                "trust": json.loads(i.take("assumeRolePolicy")),
                "inline": {},
                "attached": [],
                "boundary": i.take("permissionsBoundary", None),
                "tags": i.take("tags", {}),
            }
        elif t == "aws:iam/policy:Policy":
            name = i.take("name")
            if name in managed:
                raise ValueError(f"managed policy {name} declared twice")
            path = i.take("path", "/")
            managed[name] = {
                "arn": f"arn:{PARTITION}:iam::{ACCOUNT}:policy{path}{name}",
                "path": path,
                "description": i.take("description", None),
                "document": json.loads(i.take("policy")),
                "tags": i.take("tags", {}),
            }
        elif t == "aws:iam/rolePolicy:RolePolicy":
            role, name = i.take("role"), i.take("name")
            if role not in roles or name in roles[role]["inline"]:
                raise ValueError(f"inline policy {name} on {role}: no such role, or the policy twice")
            roles[role]["inline"][name] = json.loads(i.take("policy"))
        elif t == "aws:iam/rolePolicyAttachment:RolePolicyAttachment":
            role = i.take("role")
            if role not in roles:
                raise ValueError(f"attachment to {role}: no such role")
            roles[role]["attached"].append(i.take("policyArn"))
        else:
            raise ValueError(f"resource type this checker does not know: {t} ({r['name']!r})")
        i.done()
    for r in roles.values():
        r["attached"].sort()
    return {"roles": roles, "managed": managed}


def gcp_state(resources):
    out = {"service_accounts": {}, "custom_roles": {}, "bindings": [], "pools": {}, "providers": {}}
    for r in resources:
        i = Inputs(r)
        t = r["type"]
        if t == "gcp:serviceaccount/account:Account":
            project, account_id = i.take("project"), i.take("accountId")
            out["service_accounts"][f"{account_id}@{project}.iam.gserviceaccount.com"] = {
                "project": project,
                "account_id": account_id,
                "display_name": i.take("displayName", None),
            }
        elif t == "gcp:projects/iAMCustomRole:IAMCustomRole":
            name = f"projects/{i.take('project')}/roles/{i.take('roleId')}"
            out["custom_roles"][name] = {
                "title": i.take("title"),
                "description": i.take("description", None),
                "stage": i.take("stage", None),
                "includedPermissions": i.take("permissions"),
            }
        elif t == "gcp:projects/iAMMember:IAMMember":
            out["bindings"].append([f"//cloudresourcemanager.googleapis.com/projects/{i.take('project')}", i.take("role"), i.take("member")])
        elif t == "gcp:storage/bucketIAMMember:BucketIAMMember":
            out["bindings"].append([f"//storage.googleapis.com/projects/_/buckets/{i.take('bucket')}", i.take("role"), i.take("member")])
        elif t == "gcp:pubsub/topicIAMMember:TopicIAMMember":
            out["bindings"].append([f"//pubsub.googleapis.com/projects/{i.take('project')}/topics/{i.take('topic')}", i.take("role"), i.take("member")])
        elif t == "gcp:serviceaccount/iAMMember:IAMMember":
            out["bindings"].append([f"//iam.googleapis.com/{i.take('serviceAccountId')}", i.take("role"), i.take("member")])
        elif t == "gcp:iam/workloadIdentityPool:WorkloadIdentityPool":
            out["pools"][i.take("workloadIdentityPoolId")] = {"project": i.take("project"), "display_name": i.take("displayName", None)}
        elif t == "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider":
            aws = dict(i.take("aws"))
            key = f"{i.take('workloadIdentityPoolId')}/{i.take('workloadIdentityPoolProviderId')}"
            out["providers"][key] = {
                "project": i.take("project"),
                "attribute_mapping": i.take("attributeMapping"),
                "attribute_condition": i.take("attributeCondition", None),
                "aws_account_id": aws.pop("accountId"),
            }
            if aws:
                raise ValueError(f"{key}: aws inputs this checker does not understand: {sorted(aws)}")
        else:
            raise ValueError(f"resource type this checker does not know: {t} ({r['name']!r})")
        i.done()
    out["bindings"].sort()
    return out


def azure_state(resources):
    out = {"applications": {}, "service_principals": {}, "role_assignments": []}
    sps = {}
    order = ["azuread:index/application:Application", "azuread:index/servicePrincipal:ServicePrincipal"]
    for r in sorted(resources, key=lambda r: order.index(r["type"]) if r["type"] in order else len(order)):
        i = Inputs(r)
        t = r["type"]
        if t == "azuread:index/application:Application":
            out["applications"][i.take("displayName")] = {}
        elif t == "azuread:index/servicePrincipal:ServicePrincipal":
            client = i.take("clientId")
            out["service_principals"][client] = {}
            sps[f"object-id-of-sp:{client}"] = client
        elif t == "azure-native:authorization:RoleAssignment":
            principal = i.take("principalId")
            if principal not in sps:
                raise ValueError(f"role assignment {r['name']!r} to {principal}, which is no service principal of this program")
            out["role_assignments"].append([i.take("roleDefinitionId"), i.take("scope"), i.take("principalType", None), f"sp:{sps[principal]}"])
        else:
            raise ValueError(f"resource type this checker does not know: {t} ({r['name']!r})")
        i.done()
    out["role_assignments"].sort()
    return out


def sdk_versions():
    """The installed version of each requirement, which must satisfy it."""
    from importlib.metadata import version

    try:
        from packaging.requirements import Requirement
    except ImportError:
        from pip._vendor.packaging.requirements import Requirement
    out, bad = {}, []
    for line in open(REQUIREMENTS):
        if line.strip() and not line.lstrip().startswith("#"):
            req = Requirement(line.strip())
            out[req.name] = version(req.name)
            if not req.specifier.contains(out[req.name], prereleases=True):
                bad.append(f"{req.name} {out[req.name]} is not {req.specifier}")
    if bad or not out:
        raise ValueError(f"the installed SDKs are not what {REQUIREMENTS} asks for: {bad or 'no requirement'}")
    return out


class Log(logging.Handler):
    def emit(self, record):
        LOGS.append([record.levelname, record.getMessage()])


async def exports():
    root = pulumi.runtime.settings.get_root_resource()
    return {k: await pulumi.Output.from_input(v).future() for k, v in root.outputs.items()}


def main():
    logger = logging.getLogger("trustbridge-pulumi-mocks")
    logger.addHandler(Log())
    logger.propagate = False
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    pulumi.runtime.set_mocks(Mocks(), project="trustbridge", stack="test", preview=False, logger=logger)
    try:
        sdks = sdk_versions()
        runpy.run_path(PROGRAM, run_name="__main__")
        loop.run_until_complete(pulumi.runtime.stack.wait_for_rpcs())
        exported = loop.run_until_complete(exports())
        errors = [m for level, m in LOGS if level in ("ERROR", "CRITICAL")]
        if errors:
            raise ValueError(f"the program logged errors: {errors}")
        clouds = {r["type"].split(":", 1)[0] for r in RESOURCES}
        if clouds <= {"aws"}:
            state = aws_state(RESOURCES)
        elif clouds <= {"gcp"}:
            state = gcp_state(RESOURCES)
        elif clouds <= {"azuread", "azure-native"}:
            state = azure_state(RESOURCES)
        else:
            raise ValueError(f"one program, one cloud: {sorted(clouds)}")
    except Exception as e:
        tb = traceback.format_exc(limit=-3)
        print(json.dumps({"error": f"{type(e).__name__}: {e}", "traceback": tb, "resources": RESOURCES, "logs": LOGS}, default=str))
        sys.exit(1)
    print(json.dumps({"state": state, "exports": exported, "sdks": sdks, "resources": RESOURCES, "invokes": INVOKES, "logs": LOGS}, default=str))


if __name__ == "__main__":
    main()
