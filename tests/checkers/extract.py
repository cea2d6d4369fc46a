"""Reads an IaC file the way its own ecosystem does and prints what it grants, as JSON.

    extract.py cfn FILE PARTITION ACCOUNT REGION URLSUFFIX   -> {"trust": doc, "inline": {name: doc}}
    extract.py tf-aws FILE                                    -> {"trust": doc, "inline": {name: doc}}
    extract.py tf-gcp FILE                                    -> [[resource, role, member], ...]
    extract.py tf-azure FILE                                  -> [[role, scope, principal_type], ...]
    extract.py tf-azure-app-name FILE                         -> [the app registration's display_name]
    extract.py pulumi-aws FILE                                -> {"trust": doc, "inline": {VAR: doc}}
    extract.py python FILE                                    -> the program's top-level statement kinds
    extract.py batch < [[kind, file, extra...], ...]          -> [result or {"error": ...}, ...]

Used by tests/tests/iac.rs to prove every format grants exactly what the JSON documents grant.
"""
import ast
import json
import re
import sys

from hcl2.parser import hcl2 as hcl2_grammar
import yaml


def cfn(path, partition, account, region, suffix):
    class Loader(yaml.SafeLoader):
        pass

    doc = yaml.load(open(path), Loader=Loader)
    params = {k: v.get("Default") for k, v in doc.get("Parameters", {}).items()}
    pseudo = {"AWS::Partition": partition, "AWS::AccountId": account, "AWS::Region": region, "AWS::URLSuffix": suffix}

    def ev(v):
        if isinstance(v, dict):
            if set(v) == {"Fn::Sub"}:
                return re.sub(r"\$\{([^}]+)\}", lambda m: str(pseudo.get(m.group(1), params.get(m.group(1)))), v["Fn::Sub"])
            if set(v) == {"Ref"}:
                return params.get(v["Ref"], pseudo.get(v["Ref"]))
            return {k: ev(x) for k, x in v.items()}
        if isinstance(v, list):
            return [ev(x) for x in v]
        return v

    # The whole template, not only the role: any other resource, or an attachment on the role
    # (managed policies, a boundary the plan has not), is an error the read-back reports.
    extra = sorted(set(doc["Resources"]) - {"VendorAccessRole"})
    if extra:
        raise SystemExit(f"unexpected CloudFormation resources {extra}")
    props = doc["Resources"]["VendorAccessRole"]["Properties"]
    unknown = sorted(set(props) - {"RoleName", "Path", "Description", "AssumeRolePolicyDocument", "Policies", "Tags", "PermissionsBoundary"})
    if unknown:
        raise SystemExit(f"unexpected properties on the role {unknown}")
    return {
        "trust": ev(props["AssumeRolePolicyDocument"]),
        "inline": {p["PolicyName"]: ev(p["PolicyDocument"]) for p in props.get("Policies", [])},
    }


def load_hcl(path):
    # The grammar's own parse. `hcl2.load` first runs a line heuristic that reads `= <<` inside a
    # quoted string (a legal display name such as "a= <<EOF- [") as a heredoc start and compiles
    # the rest of the line as a regular expression; that pre-scan only raises, the grammar decides.
    return hcl2_grammar.parse(open(path).read() + "\n")


def resources(path):
    out = []
    for block in load_hcl(path).get("resource", []):
        for rtype, named in block.items():
            for name, body in named.items():
                out.append((rtype, name, body))
    return out


def unq(v):
    # python-hcl2 wraps attribute values in a one-element list in some versions, and keeps the
    # quotes of string literals in others.
    while isinstance(v, list) and len(v) == 1:
        v = v[0]
    if isinstance(v, str) and len(v) >= 2 and v[0] == v[-1] == '"':
        return v[1:-1]
    return v


def untemplate(s):
    """python-hcl2 parses but does not evaluate templates. Evaluate a literal template as Terraform
    does: "$${" is a literal "${" and "%%{" a literal "%{"; an unescaped "${" or "%{" would be an
    interpolation or a directive, which no literal we render may contain, so it is an error."""
    out, i = [], 0
    while i < len(s):
        two, three = s[i:i + 2], s[i:i + 3]
        if three in ("$${", "%%{"):
            out.append(three[1:])
            i += 3
        elif two in ("${", "%{"):
            raise ValueError(f"unescaped template sequence {two!r} at {i}: Terraform would evaluate it")
        else:
            out.append(s[i])
            i += 1
    return "".join(out)


def heredoc_json(v):
    v = unq(v).strip()
    m = re.match(r"<<-?(\w+)\n(.*)\n\s*\1$", v, re.S)
    return json.loads(untemplate(m.group(2) if m else v))


def tf_aws(path):
    out = {"trust": None, "inline": {}}
    roles = 0
    for rtype, name, body in resources(path):
        if rtype == "aws_iam_role":
            roles += 1
            # (python-hcl2 adds __start_line__ / __end_line__.)
            unknown = sorted(k for k in set(body) - {"name", "path", "description", "assume_role_policy", "tags", "permissions_boundary"} if not k.startswith("__"))
            if unknown:
                raise SystemExit(f"unexpected attributes on the role {unknown}")
            out["trust"] = heredoc_json(body["assume_role_policy"])
        elif rtype == "aws_iam_role_policy":
            out["inline"][unq(body["name"])] = heredoc_json(body["policy"])
        else:
            # The whole file: any other resource (an attachment, a second role) is an error.
            raise SystemExit(f"unexpected Terraform resource {rtype}.{name}")
    if roles != 1:
        raise SystemExit(f"expected exactly one aws_iam_role, found {roles}")
    return out


def tf_gcp(path):
    rs = resources(path)
    sa = next(b for t, _, b in rs if t == "google_service_account")
    email = f"{unq(sa['account_id'])}@{unq(sa['project'])}.iam.gserviceaccount.com"
    member = f"serviceAccount:{email}"
    role_ids = {n: b for t, n, b in rs if t == "google_project_iam_custom_role"}
    out = []
    for t, _, b in rs:
        m = unq(b.get("member", ""))
        if t.endswith("_iam_member") and t != "google_service_account_iam_member" and "google_service_account.vendor.email" not in m:
            raise SystemExit(f"unexpected member {m}")
        if t == "google_project_iam_member":
            role = unq(b["role"])
            cr = role_ids.get(role.split(".")[1]) if role.startswith("${google_project_iam_custom_role.") or role.startswith("google_project_iam_custom_role.") else None
            role = f"projects/{unq(cr['project'])}/roles/{unq(cr['role_id'])}" if cr else role
            out.append([f"//cloudresourcemanager.googleapis.com/projects/{unq(b['project'])}", role, member])
        elif t == "google_storage_bucket_iam_member":
            out.append([f"//storage.googleapis.com/projects/_/buckets/{unq(b['bucket'])}", unq(b["role"]), member])
        elif t == "google_service_account_iam_member":
            m = re.sub(r"\$\{data\.google_project\.this\.number\}", "PROJECT_NUMBER", m)
            pool = next(unq(b2["workload_identity_pool_id"]) for t2, _, b2 in rs if t2 == "google_iam_workload_identity_pool")
            m = m.replace("${google_iam_workload_identity_pool.vendor.workload_identity_pool_id}", pool)
            out.append([f"//iam.googleapis.com/projects/{unq(sa['project'])}/serviceAccounts/{email}", unq(b["role"]), m])
            continue
        elif t == "google_pubsub_topic_iam_member":
            out.append([f"//pubsub.googleapis.com/projects/{unq(b['project'])}/topics/{unq(b['topic'])}", unq(b["role"]), member])
    return out


def tf_azure(path):
    return [
        [unq(b["role_definition_name"]), unq(b["scope"]), unq(b["principal_type"])]
        for t, _, b in resources(path)
        if t == "azurerm_role_assignment"
    ]


def tf_azure_app_name(path):
    return [unq(b["display_name"]) for t, _, b in resources(path) if t == "azuread_application"]


def tf_pack(path):
    rs = resources(path)
    names = {n: unq(b["name"]) for t, n, b in rs if t == "aws_iam_policy"}
    roles = {n: unq(b["name"]) for t, n, b in rs if t == "aws_iam_role"}
    out = {"managed": {}, "roles": {}}
    for t, n, b in rs:
        if t == "aws_iam_policy":
            out["managed"][unq(b["name"])] = heredoc_json(b["policy"])
        elif t == "aws_iam_role":
            out["roles"][unq(b["name"])] = {"trust": heredoc_json(b["assume_role_policy"]), "inline": {}, "attached": []}
    for t, n, b in rs:
        if t == "aws_iam_role_policy":
            role = roles[re.search(r"aws_iam_role\.(\w+)\.", unq(b["role"])).group(1)]
            out["roles"][role]["inline"][unq(b["name"])] = heredoc_json(b["policy"])
        elif t == "aws_iam_role_policy_attachment":
            role = roles[re.search(r"aws_iam_role\.(\w+)\.", unq(b["role"])).group(1)]
            arn = unq(b["policy_arn"])
            m = re.search(r"aws_iam_policy\.(\w+)\.arn", arn)
            out["roles"][role]["attached"].append(names[m.group(1)] if m else arn)
    return out


def pulumi_aws(path):
    """A single-role program (a vendor plan's): the role's trust (`ROLE_0_TRUST`) and each
    `aws.iam.RolePolicy(..., name=NAME, policy=json.dumps(CONST))` as inline[NAME] = CONST."""
    tree = ast.parse(open(path).read())
    consts = {}
    out = {"trust": None, "inline": {}}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name) and node.targets[0].id.isupper():
            consts[node.targets[0].id] = ast.literal_eval(node.value)
        call = node.value if isinstance(node, (ast.Expr, ast.Assign)) else None
        if isinstance(call, ast.Call) and ast.unparse(call.func) == "aws.iam.RolePolicy":
            kw = {k.arg: k.value for k in call.keywords}
            out["inline"][ast.literal_eval(kw["name"])] = consts[kw["policy"].args[0].id]
    out["trust"] = consts.get("ROLE_0_TRUST")
    return out


def python_parses(path):
    """A Python program (Pulumi) that Python itself parses: its top-level statement kinds."""
    tree = ast.parse(open(path).read())
    return sorted({type(n).__name__ for n in tree.body})


KINDS = {
    "cfn": cfn,
    "tf-pack": tf_pack,
    "tf-aws": tf_aws,
    "tf-gcp": tf_gcp,
    "tf-azure": tf_azure,
    "tf-azure-app-name": tf_azure_app_name,
    "pulumi-aws": pulumi_aws,
    "python": python_parses,
}


def batch():
    """stdin: [[kind, path, extra...], ...]; stdout: one result per job, or {"error": "..."}.
    One process for many files (the property test reads back hundreds of bundles)."""
    import signal

    def too_slow(*_):
        raise TimeoutError("no answer within 20 s")

    signal.signal(signal.SIGALRM, too_slow)
    out = []
    for kind, path, *rest in json.load(sys.stdin):
        signal.alarm(20)
        try:
            out.append(KINDS[kind](path, *rest))
        except Exception as e:  # reported per file, so the test names the failing case
            out.append({"error": f"{type(e).__name__}: {e}"})
        finally:
            signal.alarm(0)
    print(json.dumps(out))


if __name__ == "__main__":
    if sys.argv[1] == "batch":
        batch()
    else:
        kind, path, *rest = sys.argv[1:]
        print(json.dumps(KINDS[kind](path, *rest)))
