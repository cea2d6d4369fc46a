#!/usr/bin/env python3
"""TEST DOUBLE of the `gcloud` and `az` command lines, for running the exported GCP and Azure
scripts where neither Google IAM nor Microsoft Graph exists on this machine.

Invoked through a symlink named `gcloud` or `az`. It answers only the commands the exported
scripts use, the way the published references describe them:
- gcloud (https://cloud.google.com/sdk/gcloud/reference/iam/service-accounts): `describe` of a
  missing account fails with `NOT_FOUND: Unknown service account`; `create` takes
  `--display-name` and `--description`. `iam roles` describe (a deleted role is still described,
  `deleted: True`) / create / update (`--file`, whose description is kept) / undelete / delete;
  `iam workload-identity-pools` describe / create (`--description`) / delete (soft: `state:
  DELETED`) / undelete, `providers` describe / create-aws / update-aws; `projects describe`
  (projectNumber); `projects get-iam-policy --flatten --format` (role and member rows) over the project
  bindings the `add/remove-iam-policy-binding` calls made; `auth print-access-token`.
- curl: the one REST call the scripts make, the IAM API's providers.patch enabling a disabled
  provider (update-aws cannot).
- az (https://learn.microsoft.com/cli/azure/ad/app) over Microsoft Graph: `az ad app list
  --filter` passes an OData `$filter`; Graph accepts `displayName eq '<literal>'` where a quote
  inside the literal is doubled, compares case-insensitively, and answers 400 for a clause it
  cannot parse (we accept only the clauses the scripts should send, so a spliced filter fails).

- Cloud Storage's and Pub/Sub's IAM (`gcloud storage buckets …`, `gcloud pubsub topics …`): the
  REAL gcloud runs these (its flags, --flatten/--format projections and read-modify-write are its
  own), pointed by `CLOUDSDK_API_ENDPOINT_OVERRIDES_*` at `serve` below, a TEST DOUBLE of the two
  REST APIs (gcp-storage-emulator does not implement bucket IAM policies; the Pub/Sub emulator
  answers 501 to IAM methods; the engine's tests have a Rust double of the same APIs, but these
  scripts' state is this file's JSON) as their references describe them (https://cloud.google.com/storage/docs/json_api/v1/buckets,
  https://cloud.google.com/pubsub/docs/reference/rest/v1/projects.topics): buckets.list /
  topics.list (paged by pageToken, two a page so gcloud's paging runs; buckets.list requires
  `project`), getIamPolicy (below the requested version 3, a binding with a condition comes back
  as ROLE_withcond_HASH without it, as IAM answers; 404 for a
  resource in `missing_resources`, 403 for a list in `list_denied` or a resource in `policy_denied`,
  and for a policy write on a resource in `write_denied`),
  setIamPolicy (refused below version 3 on a policy that holds conditions; refused as changed
  underneath — 412 for a bucket, 409 ABORTED for a topic — when its etag is not the one the last
  read gave; every write makes a new etag). The buckets and topics are the project's named by
  $FAKE_GCP_PROJECT: another project lists none and has no such topic (404). A resource's
  unconditional bindings are `resource_bindings[key][role] = [members]` and its conditioned ones
  `resource_conditioned[key] = [binding]`, key `gs://BUCKET` or the topic's id; a project's buckets
  and topics are those keys and `listed_buckets` / `listed_topics`, less `other_buckets` (buckets
  of other projects: their policies are read and written like any bucket's). Cloud Asset
  Inventory's searchAllIamPolicies (`gcloud asset search-all-iam-policies`, the real gcloud too)
  over the `ancestry` the faked `gcloud projects get-ancestors` prints.

State is a JSON file ($FAKE_CLOUD_STATE), read and written back on every call; every call is
appended as a JSON line (argv) to $FAKE_CLOUD_LOG. Anything else exits 2 with "unsupported",
so a script that starts sending a new command fails the test instead of passing silently.
"""
import base64
import fcntl
import hashlib
import http.server
import json
import os
import re
import sys
import urllib.parse
import uuid

STATE = os.environ["FAKE_CLOUD_STATE"]
LOG = os.environ["FAKE_CLOUD_LOG"]


def load():
    with open(STATE) as f:
        return json.load(f)


def save(s):
    with open(STATE, "w") as f:
        json.dump(s, f)


def opt(args, name):
    """--name=value or --name value."""
    for i, a in enumerate(args):
        if a == name and i + 1 < len(args):
            return args[i + 1]
        if a.startswith(name + "="):
            return a[len(name) + 1:]
    return None


def fail(msg, code=1):
    sys.stderr.write(msg + "\n")
    sys.exit(code)


def gcloud(args, s):
    words = [a for a in args if not a.startswith("--")]
    if words[:2] == ["auth", "print-access-token"]:
        print(ACCESS_TOKEN)
        return
    if words[:3] == ["iam", "service-accounts", "describe"]:
        email = words[3]
        if email not in s["service_accounts"]:
            fail("ERROR: (gcloud.iam.service-accounts.describe) NOT_FOUND: Unknown service account")
        fmt = opt(args, "--format")
        if fmt != "value(description)":
            fail("unsupported format " + str(fmt), 2)
        print(s["service_accounts"][email])
        return
    if words[:3] == ["iam", "service-accounts", "create"]:
        email = "%s@%s.iam.gserviceaccount.com" % (words[3], opt(args, "--project"))
        if email in s["service_accounts"]:
            fail("ERROR: (gcloud.iam.service-accounts.create) ALREADY_EXISTS")
        s["service_accounts"][email] = opt(args, "--description") or ""
        return
    if words[:3] == ["iam", "service-accounts", "delete"]:
        s["service_accounts"].pop(words[3], None)
        return
    roles = s.setdefault("roles", {})
    if words[:2] == ["iam", "roles"]:
        verb, rid = words[2], words[3]
        role = roles.get(rid)
        if verb == "create":
            if role is not None:
                fail("ERROR: (gcloud.iam.roles.create) ALREADY_EXISTS: A role named %s already exists." % rid)
            with open(opt(args, "--file")) as f:
                roles[rid] = {"description": json.load(f).get("description", ""), "deleted": False}
            return
        if role is None:
            fail("ERROR: (gcloud.iam.roles.%s) NOT_FOUND: The role does not exist" % verb)
        if verb == "describe":
            fmt = opt(args, "--format")
            if fmt == "value(description)":
                print(role["description"])
            elif fmt == "value(deleted)":
                print("True" if role["deleted"] else "")
            else:
                fail("unsupported format " + str(fmt), 2)
            return
        if verb == "update":
            if role["deleted"]:
                fail("ERROR: (gcloud.iam.roles.update) FAILED_PRECONDITION: You can't update a deleted role.")
            with open(opt(args, "--file")) as f:
                role["description"] = json.load(f).get("description", "")
            return
        if verb in ("delete", "undelete"):
            role["deleted"] = verb == "delete"
            return
    pools = s.setdefault("pools", {})
    if words[:3] == ["iam", "workload-identity-pools", "providers"]:
        verb, pid, pool = words[3], words[4], opt(args, "--workload-identity-pool")
        providers = pools.get(pool, {}).setdefault("providers", {})
        if verb == "describe":
            if pid not in providers:
                fail("ERROR: NOT_FOUND: provider not found")
            if opt(args, "--format") == "value(disabled)":
                # gcloud prints True for a disabled provider, nothing when the field is false (unset).
                print("True" if providers[pid].get("disabled") else "")
            return
        if verb in ("create-aws", "update-aws"):
            if pool not in pools or (verb == "create-aws") == (pid in providers):
                fail("ERROR: (gcloud.iam.workload-identity-pools.providers.%s) %s" % (verb, "ALREADY_EXISTS" if verb == "create-aws" else "NOT_FOUND"))
            # update-aws changes what its flags name; it cannot enable a disabled provider.
            providers[pid] = {
                "account": opt(args, "--account-id"),
                "condition": opt(args, "--attribute-condition"),
                "disabled": providers.get(pid, {}).get("disabled", False),
            }
            return
    if words[:2] == ["iam", "workload-identity-pools"] and words[2] in ("describe", "create", "delete", "undelete"):
        verb, pid = words[2], words[3]
        pool = pools.get(pid)
        if verb == "create":
            if pool is not None:
                fail("ERROR: (gcloud.iam.workload-identity-pools.create) ALREADY_EXISTS")
            pools[pid] = {"description": opt(args, "--description") or "", "state": "ACTIVE", "providers": {}}
            return
        if pool is None:
            fail("ERROR: (gcloud.iam.workload-identity-pools.%s) NOT_FOUND: pool not found" % verb)
        if verb == "describe":
            fmt = opt(args, "--format")
            if fmt not in ("value(description)", "value(state)"):
                fail("unsupported format " + str(fmt), 2)
            print(pool["description" if fmt == "value(description)" else "state"])
            return
        pool["state"] = "DELETED" if verb == "delete" else "ACTIVE"
        return
    if words[:2] == ["iam", "workload-identity-pools"] and words[2] == "create-cred-config":
        with open(opt(args, "--output-file"), "w") as f:
            json.dump({"type": "external_account", "audience": "//iam.googleapis.com/" + words[3]}, f)
        return
    if words[:2] == ["projects", "get-ancestors"]:
        # As gcloud prints `value(type,id)`: the project first, then its folders and organization
        # (state `ancestry`, nearest first), tab-separated.
        if opt(args, "--format") != "value(type,id)":
            fail("unsupported format", 2)
        if s.get("ancestors_denied"):
            fail("ERROR: (gcloud.projects.get-ancestors) PERMISSION_DENIED: The caller does not have permission")
        print("project\t%s" % words[2])
        for kind, ident in s.get("ancestry", []):
            print("%s\t%s" % (kind, ident))
        return
    if words[:2] == ["projects", "describe"]:
        if opt(args, "--format") != "value(projectNumber)":
            fail("unsupported format", 2)
        print("123456789012")
        return
    bindings = s.setdefault("project_bindings", {})
    if words[:2] == ["projects", "get-iam-policy"] and s.get("project_policy_denied"):
        fail("ERROR: (gcloud.projects.get-iam-policy) PERMISSION_DENIED: The caller does not have permission")
    if words[:2] == ["projects", "get-iam-policy"]:
        # As the real gcloud prints it: one row per member (--flatten), tab-separated values.
        if opt(args, "--flatten") != "bindings[].members" or opt(args, "--format") != "value(bindings.role,bindings.members)" or opt(args, "--filter"):
            fail("unsupported get-iam-policy call", 2)
        for role, members in bindings.items():
            for m in members:
                print("%s\t%s" % (role, m))
        return
    if words[:1] == ["projects"] and words[1] in ("add-iam-policy-binding", "remove-iam-policy-binding"):
        members = bindings.setdefault(opt(args, "--role"), [])
        member = opt(args, "--member")
        if words[1].startswith("add") and member not in members:
            members.append(member)
        elif words[1].startswith("remove") and member in members:
            members.remove(member)
        return
    if words[:3] == ["iam", "service-accounts", "keys"] and words[3] == "create":
        return
    if words[-1:] and any(w.endswith("-iam-policy-binding") for w in words):
        return
    fail("unsupported gcloud call: %r" % (args,), 2)


FILTER = re.compile(r"^displayName eq '((?:[^']|'')*)'$")


def az(args, s):
    words = [a for a in args if not a.startswith("-")]
    query = opt(args, "--query")
    if words[:2] == ["account", "set"]:
        return
    if words[:2] == ["account", "show"] and query == "tenantId":
        print(s["tenant"])
        return
    if words[:3] == ["ad", "app", "list"]:
        m = FILTER.match(opt(args, "--filter") or "")
        if not m or query != "[].appId":
            fail("ERROR: Bad Request: Invalid filter clause (%r)" % opt(args, "--filter"))
        name = m.group(1).replace("''", "'")
        for a in s["apps"]:
            if a["displayName"].lower() == name.lower():
                print(a["appId"])
        return
    if words[:3] == ["ad", "app", "create"]:
        app = {"appId": str(uuid.uuid4()), "displayName": opt(args, "--display-name"), "notes": None}
        s["apps"].append(app)
        print(app["appId"])
        return
    app_id = opt(args, "--id")
    app = next((a for a in s["apps"] if a["appId"] == app_id), None)
    if words[:3] == ["ad", "app", "update"]:
        if app is None:
            fail("ERROR: Resource '%s' does not exist" % app_id)
        key, _, value = (opt(args, "--set") or "").partition("=")
        if key != "notes":
            fail("unsupported --set " + key, 2)
        app["notes"] = value
        return
    if words[:3] == ["ad", "app", "show"]:
        if app is None:
            fail("ERROR: Resource '%s' does not exist" % app_id)
        if query not in ("displayName", "notes"):
            fail("unsupported query", 2)
        print(app[query] or "")
        return
    if words[:3] == ["ad", "app", "delete"]:
        s["apps"] = [a for a in s["apps"] if a["appId"] != app_id]
        return
    if words[:4] == ["ad", "app", "credential", "reset"]:
        if app is None:
            fail("ERROR: Resource '%s' does not exist" % app_id)
        print(json.dumps({"appId": app_id, "password": "double-secret"}))
        return
    if words[:3] == ["ad", "sp", "show"]:
        if s.get("signed_out"):
            fail("ERROR: Please run 'az login' to setup account.")
        if app_id not in s["sps"]:
            fail("ERROR: Resource '%s' does not exist" % app_id)
        if query == "id":
            print("sp-" + app_id)
        return
    if words[:3] == ["ad", "sp", "create"]:
        s["sps"].append(app_id)
        return
    if words[:3] == ["ad", "sp", "delete"]:
        s["sps"] = [x for x in s["sps"] if x != app_id]
        return
    # Role assignments: {name, scope, role (what `--role` named: the scripts give the role
    # definition's id), principal (object id), description, condition, id (all three optional; the
    # id is scope/providers/…/name unless a test plants another)}; `create --name --description`
    # (a GUID; a random one when omitted; the same name at the same scope is updated, whole),
    # `list --assignee --all` (the state's `list_denied` makes it fail), `delete --ids` (an id that
    # does not exist is no error), `delete --assignee APP_ID --role --scope` (every match of the
    # app's service principal).
    assignments = s.setdefault("assignments", [])
    if words[:3] == ["role", "assignment", "create"]:
        name = opt(args, "--name") or str(uuid.uuid4())
        a = {"name": name, "scope": opt(args, "--scope"), "role": opt(args, "--role"), "principal": opt(args, "--assignee-object-id")}
        if opt(args, "--description") is not None:
            a["description"] = opt(args, "--description")
        same = next((x for x in assignments if x["name"] == name and x["scope"].lower() == a["scope"].lower()), None)
        if same is None:
            assignments.append(a)
        else:
            # Create or update by name: what the call gives replaces what was there (a condition
            # it does not give is dropped, as Resource Manager's PUT does).
            same.clear()
            same.update(a)
        return
    if words[:3] == ["role", "assignment", "list"]:
        # `--assignee OBJECT_ID --all`: every assignment of that principal in the subscription;
        # only the query the scripts send, as tab-separated values (az's `-o tsv`).
        if opt(args, "--scope") is not None:
            # `--scope S --role R --query "length(not_null([?condition], ''))"`: how many of the principal's
            # assignments of R at exactly S have a condition.
            if query != "length(not_null([?condition], ''))" or opt(args, "-o") != "tsv":
                fail("unsupported az role assignment list: %r" % (args,), 2)
            print(sum(1 for a in assignments if a["principal"] == opt(args, "--assignee") and a["scope"].lower() == opt(args, "--scope").lower()
                      and a["role"].lower() == opt(args, "--role").lower() and a.get("condition")))
            return
        m = LIST_QUERY.match(query or "")
        if not m or "--all" not in args or opt(args, "-o") != "tsv":
            fail("unsupported az role assignment list: %r" % (args,), 2)
        if s.get("list_denied"):
            fail("ERROR: (AuthorizationFailed) The client does not have authorization to perform action 'Microsoft.Authorization/roleAssignments/read'.")
        mark = m.group(1).replace("\\'", "'").replace("\\\\", "\\")
        for a in assignments:
            if a["principal"] == opt(args, "--assignee"):
                ra_id = a.get("id") or a["scope"] + "/providers/Microsoft.Authorization/roleAssignments/" + a["name"]
                d = a.get("description")
                flags = ["yes" if a.get("condition") else "no", "ours" if d == mark else ("other" if d else "none")]
                print("\t".join([ra_id, a["name"], a["scope"], a["role"]] + flags))
        return
    if words[:3] == ["role", "assignment", "delete"]:
        ids = opt(args, "--ids")
        if ids is not None:
            scope, _, name = ids.rpartition("/providers/Microsoft.Authorization/roleAssignments/")
            s["assignments"] = [a for a in assignments if not (a["scope"].lower() == scope.lower() and a["name"] == name)]
            return
        principal = "sp-" + (opt(args, "--assignee") or "")
        s["assignments"] = [a for a in assignments if not (a["principal"] == principal and a["scope"] == opt(args, "--scope"))]
        return
    fail("unsupported az call: %r" % (args,), 2)


ACCESS_TOKEN = "ya29.fake-access-token-of-the-double"
# The project whose buckets and topics the state holds (the plan's); unset: any project.
HOME_PROJECT = os.environ.get("FAKE_GCP_PROJECT") or None


def etag_of(s, key):
    return base64.b64encode(b"policy-%d" % s.get("policy_etags", {}).get(key, 0)).decode()
# The one `az role assignment list` query the Azure scripts send (core's render::azure::list_query),
# around the integration's mark (a JMESPath raw string: \' and \\ escaped).
LIST_QUERY = re.compile(
    r"^\[\]\.\[id,name,scope,roleDefinitionId,\(condition && 'yes'\) \|\| 'no',\(description == '((?:[^'\\]|\\.)*)' && 'ours'\) \|\| \(description && 'other'\) \|\| 'none'\]$"
)
PROVIDER_URL = re.compile(
    r"^https://iam\.googleapis\.com/v1/projects/(\d+)/locations/global/workloadIdentityPools/([a-z0-9-]+)/providers/([a-z0-9-]+)\?updateMask=disabled$"
)


def curl(args, s):
    """The IAM API's providers.patch (https://cloud.google.com/iam/docs/reference/rest/v1/projects.locations.workloadIdentityPools.providers/patch),
    the only call the scripts make with curl: PATCH with updateMask=disabled, the body
    {"disabled": false}, the bearer token read from standard input (-H @-)."""
    if opt(args, "-X") != "PATCH" or "--fail" not in args:
        fail("unsupported curl call: %r" % (args,), 2)
    lines = STDIN_LINES
    if ("Authorization: Bearer %s" % ACCESS_TOKEN) not in lines:
        fail("curl: (22) The requested URL returned error: 401", 22)
    url = next((a for a in args if a.startswith("https://")), "")
    m = PROVIDER_URL.match(url)
    if not m or json.loads(opt(args, "--data") or "null") != {"disabled": False}:
        fail("curl: (22) The requested URL returned error: 400", 22)
    provider = s.get("pools", {}).get(m.group(2), {}).get("providers", {}).get(m.group(3))
    if provider is None:
        fail("curl: (22) The requested URL returned error: 404", 22)
    provider["disabled"] = False
    print(json.dumps({"name": "operations/fake", "done": True}))


# Cloud Storage and Pub/Sub REST (the real gcloud's requests; see the module's text).
BUCKETS_PATH = re.compile(r"^/storage/v1/b/?$")
BUCKET_IAM = re.compile(r"^/storage/v1/b/([^/]+)/iam$")
TOPICS_PATH = re.compile(r"^/v1/projects/([^/]+)/topics$")
TOPIC_IAM = re.compile(r"^/v1/projects/([^/]+)/topics/([^/:]+):(getIamPolicy|setIamPolicy)$")
ASSET_SEARCH = re.compile(r"^/v1/((?:organizations|folders)/[0-9]+):searchAllIamPolicies$")
PAGE = 2


def resources(s, buckets):
    keys = set(s.get("resource_bindings", {})) | set(s.get("resource_conditioned", {}))
    if buckets:
        names = {k[len("gs://"):] for k in keys if k.startswith("gs://")} | set(s.get("listed_buckets", []))
        names -= set(s.get("other_buckets", []))
    else:
        names = {k for k in keys if not k.startswith("gs://")} | set(s.get("listed_topics", []))
    gone = set(s.get("missing_resources", []))
    return sorted(n for n in names if ("gs://" + n if buckets else n) not in gone)


def policy_of(s, key, version):
    """The policy as asked for: at version 3 with its conditions; below 3, as IAM answers it, a
    binding with a condition has its role renamed ROLE_withcond_HASH and no condition."""
    bindings = [{"role": r, "members": list(m)} for r, m in sorted(s.get("resource_bindings", {}).get(key, {}).items()) if m]
    conditioned = [dict(b) for b in s.get("resource_conditioned", {}).get(key, [])]
    if version < 3:
        digest = lambda c: hashlib.sha1(json.dumps(c, sort_keys=True).encode()).hexdigest()[:20]
        conditioned = [{"role": "%s_withcond_%s" % (b["role"], digest(b["condition"])), "members": b["members"]} for b in conditioned]
    bindings += conditioned
    return {"version": 3 if version >= 3 and conditioned else 1, "etag": etag_of(s, key), "bindings": bindings}


def store_policy(s, key, policy):
    plain, conditioned = {}, []
    for b in policy.get("bindings", []):
        if b.get("condition"):
            conditioned.append(b)
        else:
            plain.setdefault(b["role"], []).extend(m for m in b.get("members", []) if m not in plain.get(b["role"], []))
    s.setdefault("resource_bindings", {})[key] = plain
    s.setdefault("resource_conditioned", {})[key] = conditioned


class Api(http.server.BaseHTTPRequestHandler):
    def answer(self, code, body):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def handle_call(self, method):
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query)
        path = urllib.parse.unquote(url.path)
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"null")
        if self.headers.get("Authorization") != "Bearer " + ACCESS_TOKEN:
            return self.answer(401, {"error": {"code": 401, "message": "Request had invalid authentication credentials."}})
        with open(STATE + ".lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            s = load()
            code, out = self.route(s, method, path, query, body)
            if method != "GET" and code == 200:
                save(s)
        self.answer(code, out)

    def search(self, s, scope, query):
        """Cloud Asset Inventory v1 searchAllIamPolicies (https://cloud.google.com/asset-inventory/docs/reference/rest/v1/TopLevel/searchAllIamPolicies):
        over the organization or a folder of `ancestry` (another scope, or one in `asset_denied`:
        403), for the query `policy:"MEMBER"`, the buckets (of any project) whose policy names
        serviceAccount:MEMBER, each with only the matching bindings; paged."""
        known = ["%ss/%s" % (kind, ident) for kind, ident in s.get("ancestry", [])]
        if scope not in known or scope in s.get("asset_denied", []):
            return 403, {"error": {"code": 403, "message": "The caller does not have permission", "status": "PERMISSION_DENIED"}}
        q = (query.get("query") or [""])[0]
        m = re.match(r'^policy:"?([^"]+)"?$', q)
        if not m:
            return 400, {"error": {"code": 400, "message": "query not supported by the double: %s" % q, "status": "INVALID_ARGUMENT"}}
        member = "serviceAccount:" + m.group(1)
        if query.get("assetTypes", ["storage.googleapis.com/Bucket"]) != ["storage.googleapis.com/Bucket"]:
            return 200, {}
        results = []
        for key in sorted(set(s.get("resource_bindings", {})) | set(s.get("resource_conditioned", {}))):
            if not key.startswith("gs://"):
                continue
            policy = policy_of(s, key, 3)
            matching = [b for b in policy["bindings"] if member in b["members"]]
            if matching:
                results.append({"resource": "//storage.googleapis.com/" + key[len("gs://"):], "assetType": "storage.googleapis.com/Bucket",
                                "project": "projects/123456789012", "policy": {"bindings": matching}})
        start = int((query.get("pageToken") or ["0"])[0])
        out = {"results": results[start:start + PAGE]}
        if start + PAGE < len(results):
            out["nextPageToken"] = str(start + PAGE)
        return 200, out

    def route(self, s, method, path, query, body):
        listing = None
        a = ASSET_SEARCH.match(path)
        if a and method == "GET":
            return self.search(s, a.group(1), query)
        if BUCKETS_PATH.match(path) and method == "GET":
            if not query.get("project"):
                return 400, {"error": {"code": 400, "message": "Required parameter: project"}}
            names = resources(s, True) if HOME_PROJECT in (None, query["project"][0]) else []
            listing = ("buckets", [{"kind": "storage#bucket", "name": n, "id": n} for n in names], "items")
        elif TOPICS_PATH.match(path) and method == "GET":
            project = TOPICS_PATH.match(path).group(1)
            names = resources(s, False) if HOME_PROJECT in (None, project) else []
            listing = ("topics", [{"name": "projects/%s/topics/%s" % (project, n)} for n in names], "topics")
        if listing:
            what, items, field = listing
            if what in s.get("list_denied", []):
                return 403, {"error": {"code": 403, "message": "The caller does not have permission"}}
            start = int((query.get("pageToken") or ["0"])[0])
            out = {field: items[start:start + PAGE]}
            if start + PAGE < len(items):
                out["nextPageToken"] = str(start + PAGE)
            return 200, out
        m = BUCKET_IAM.match(path)
        key = "gs://" + m.group(1) if m else None
        version = int((query.get("optionsRequestedPolicyVersion") or ["1"])[0])
        t = TOPIC_IAM.match(path)
        if t:
            if HOME_PROJECT not in (None, t.group(1)):
                return 404, {"error": {"code": 404, "message": "Resource not found (resource=%s)." % t.group(2), "status": "NOT_FOUND"}}
            key = t.group(2)
            method = "GET" if t.group(3) == "getIamPolicy" else "PUT"
            body = (body or {}).get("policy")
            version = int((query.get("options.requestedPolicyVersion") or ["1"])[0])
        if key is None:
            return 404, {"error": {"code": 404, "message": "no such method in the double: %s %s" % (method, path)}}
        if key in s.get("missing_resources", []):
            return 404, {"error": {"code": 404, "message": "Not found: %s" % key}}
        if key in s.get("policy_denied", []):
            return 403, {"error": {"code": 403, "message": "The caller does not have permission"}}
        if method == "PUT" and key in s.get("write_denied", []):
            return 403, {"error": {"code": 403, "message": "The caller does not have permission", "status": "PERMISSION_DENIED"}}
        if method == "GET":
            return 200, policy_of(s, key, version)
        if method == "PUT" and isinstance(body, dict):
            # Any change to a policy that holds conditions must be made at version 3 (the Policy
            # reference); a version-1 policy naming a ROLE_withcond_HASH role is refused too.
            held = s.get("resource_conditioned", {}).get(key)
            if (held or any("_withcond_" in b.get("role", "") for b in body.get("bindings", []))) and body.get("version") != 3:
                return 400, {"error": {"code": 400, "message": "Policy version 3 is required for a policy that contains conditions", "status": "INVALID_ARGUMENT"}}
            if body.get("etag") not in (None, etag_of(s, key)):
                if t:
                    return 409, {"error": {"code": 409, "message": "There were concurrent policy changes.", "status": "ABORTED"}}
                return 412, {"error": {"code": 412, "message": "Precondition Failed"}}
            store_policy(s, key, body)
            etags = s.setdefault("policy_etags", {})
            etags[key] = etags.get(key, 0) + 1
            return 200, policy_of(s, key, body.get("version") or 1)
        return 400, {"error": {"code": 400, "message": "bad request"}}

    def do_GET(self):
        self.handle_call("GET")

    def do_PUT(self):
        self.handle_call("PUT")

    def do_POST(self):
        self.handle_call("POST")

    def log_message(self, *args):
        pass


def serve():
    """Serves the two REST APIs on a free loopback port, printed as one line on standard output."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Api)
    print(server.server_address[1], flush=True)
    server.serve_forever()


def real_gcloud(args):
    """The real gcloud, for Cloud Storage and Pub/Sub, against `serve` ($FAKE_GCP_API)."""
    api = os.environ["FAKE_GCP_API"]
    env = dict(os.environ)
    env.update({
        "CLOUDSDK_API_ENDPOINT_OVERRIDES_STORAGE": api + "/storage/v1/",
        "CLOUDSDK_API_ENDPOINT_OVERRIDES_PUBSUB": api + "/",
        "CLOUDSDK_API_ENDPOINT_OVERRIDES_CLOUDASSET": api + "/",
        "CLOUDSDK_AUTH_ACCESS_TOKEN_FILE": os.environ["FAKE_GCP_TOKEN_FILE"],
        "CLOUDSDK_CONFIG": os.environ["FAKE_GCP_CONFIG"],
        "CLOUDSDK_CORE_DISABLE_PROMPTS": "1",
        "CLOUDSDK_CORE_DISABLE_USAGE_REPORTING": "1",
        "CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK": "1",
    })
    gcloud = os.environ["REAL_GCLOUD"]
    os.execve(gcloud, [gcloud] + args, env)


STDIN_LINES = []


def main():
    global STDIN_LINES
    tool = os.path.basename(sys.argv[0])
    args = sys.argv[1:]
    if args[:1] == ["serve"] and tool == "cloud_cli.py":
        return serve()
    if tool == "gcloud" and [a for a in args if not a.startswith("--")][:2] in (["storage", "buckets"], ["pubsub", "topics"], ["asset", "search-all-iam-policies"]):
        with open(LOG, "a") as f:
            f.write(json.dumps([tool] + args) + "\n")
        return real_gcloud(args)
    # curl's headers from standard input (-H @-) are read before the state is: in the scripts'
    # `printf ... "$(gcloud auth print-access-token)" | curl ...` both sides run at once, and the
    # state's lock must not wait on the other side of the pipe.
    if tool == "curl" and "@-" in [opt(args[i:], "-H") for i, a in enumerate(args) if a == "-H"]:
        STDIN_LINES = sys.stdin.read().splitlines()
    # One call at a time reads, changes and writes the state (a pipeline's two calls would
    # otherwise each write back the state they read, and the later one would undo the other).
    with open(STATE + ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        with open(LOG, "a") as f:
            f.write(json.dumps([tool] + args) + "\n")
        s = load()
        try:
            {"gcloud": gcloud, "az": az, "curl": curl}[tool](args, s)
        finally:
            save(s)


if __name__ == "__main__":
    main()
