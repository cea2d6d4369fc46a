"""An AWS Organization on a moto server, for the StackSet export test (tests/tests/stackset.rs).

  org_stackset.py seed ENDPOINT N      make the organization, two OUs and N member accounts (spread
                                       over the OUs); print {"management", "root", "ous", "accounts":
                                       [[id, ou], ...]}
  org_stackset.py add ENDPOINT OU      one more account, moved into OU; print its id
  org_stackset.py resources ENDPOINT ID...
                                       in each account: the bucket data-ID and the bus retrain-events
  org_stackset.py template ENDPOINT NAME REGION
                                       the StackSet's template as CloudFormation holds it
  org_stackset.py delete-instances-by-account ENDPOINT NAME REGION
                                       moto's gap bridged: delete the StackSet's stacks by account
  org_stackset.py readback ENDPOINT ROLE ID...
                                       in each account (through OrganizationAccountAccessRole): print
                                       {id: null | {"trust": doc, "policies": {name: doc}}}
  org_stackset.py assume ENDPOINT ID   credentials of account ID (its OrganizationAccountAccessRole):
                                       print {"AccessKeyId", "SecretAccessKey", "SessionToken"}
  org_stackset.py recorded ENDPOINT FILE
                                       moto's record of the requests (MOTO_RECORDER_FILEPATH): print
                                       [[action, {parameter: value}], ...] of the query-protocol calls

boto3 against moto with moto's dummy management credentials; nothing here decides a test's
outcome, it only makes and reads state.
"""
import base64
import json
import sys
from urllib.parse import parse_qs

import boto3


def client(endpoint, service, creds=None, region="us-east-1"):
    kw = dict(endpoint_url=endpoint, region_name=region)
    if creds:
        kw.update(aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"], aws_session_token=creds["SessionToken"])
    else:
        kw.update(aws_access_key_id="testing", aws_secret_access_key="testing")
    return boto3.client(service, **kw)


def new_account(org, root, ou, i):
    made = org.create_account(Email=f"member{i}@example.com", AccountName=f"member-{i}")
    account = made["CreateAccountStatus"]["AccountId"]
    org.move_account(AccountId=account, SourceParentId=root, DestinationParentId=ou)
    return account


def seed(endpoint, n):
    org = client(endpoint, "organizations")
    management = org.create_organization(FeatureSet="ALL")["Organization"]["MasterAccountId"]
    root = org.list_roots()["Roots"][0]["Id"]
    ous = [org.create_organizational_unit(ParentId=root, Name=name)["OrganizationalUnit"]["Id"] for name in ("Training", "Research")]
    accounts = [[new_account(org, root, ous[i % 2], i), ous[i % 2]] for i in range(n)]
    return {"management": management, "root": root, "ous": ous, "accounts": accounts}


def add(endpoint, ou):
    org = client(endpoint, "organizations")
    root = org.list_roots()["Roots"][0]["Id"]
    return new_account(org, root, ou, len(org.list_accounts()["Accounts"]))


def as_json(doc):
    # moto keeps a stack's inline policies as Python reprs; IAM's own as JSON text or objects.
    if isinstance(doc, str):
        try:
            return json.loads(doc)
        except ValueError:
            import ast

            return ast.literal_eval(doc)
    return doc


def readback(endpoint, role, ids):
    sts = client(endpoint, "sts")
    out = {}
    for account in ids:
        creds = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole", RoleSessionName="readback")["Credentials"]
        iam = client(endpoint, "iam", creds)
        try:
            got = iam.get_role(RoleName=role)["Role"]
        except iam.exceptions.NoSuchEntityException:
            out[account] = None
            continue
        names = iam.list_role_policies(RoleName=role)["PolicyNames"]
        out[account] = {
            "trust": as_json(got["AssumeRolePolicyDocument"]),
            "policies": {n: as_json(iam.get_role_policy(RoleName=role, PolicyName=n)["PolicyDocument"]) for n in names},
        }
    return out


if __name__ == "__main__":
    cmd, endpoint = sys.argv[1], sys.argv[2]
    if cmd == "seed":
        print(json.dumps(seed(endpoint, int(sys.argv[3]))))
    elif cmd == "add":
        print(add(endpoint, sys.argv[3]))
    elif cmd == "resources":
        # Each listed account's bucket data-<id> and bus retrain-events, made with its own credentials.
        sts = client(endpoint, "sts")
        for account in sys.argv[3:]:
            creds = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole", RoleSessionName="seed")["Credentials"]
            client(endpoint, "s3", creds).create_bucket(Bucket=f"data-{account}")
            client(endpoint, "events", creds).create_event_bus(Name="retrain-events")
    elif cmd == "template":
        cfn = client(endpoint, "cloudformation", region=sys.argv[4])
        print(cfn.describe_stack_set(StackSetName=sys.argv[3])["StackSet"]["TemplateBody"])
    elif cmd == "delete-instances-by-account":
        # moto ignores OU targets in DeleteStackInstances (AWS honours them): the test bridges it.
        cfn = client(endpoint, "cloudformation", region=sys.argv[4])
        accounts = sorted({i["Account"] for i in cfn.list_stack_instances(StackSetName=sys.argv[3])["Summaries"]})
        if accounts:
            cfn.delete_stack_instances(StackSetName=sys.argv[3], Accounts=accounts, Regions=[sys.argv[4]], RetainStacks=False)
        print(json.dumps(accounts))
    elif cmd == "assume":
        creds = client(endpoint, "sts").assume_role(RoleArn=f"arn:aws:iam::{sys.argv[3]}:role/OrganizationAccountAccessRole", RoleSessionName="as")["Credentials"]
        print(json.dumps({k: creds[k] for k in ("AccessKeyId", "SecretAccessKey", "SessionToken")}))
    elif cmd == "recorded":
        calls = []
        with open(sys.argv[3]) as f:
            for line in f:
                e = json.loads(line)
                body = e.get("body") or ""
                if e.get("body_encoded"):
                    body = base64.b64decode(body).decode("utf-8", "replace")
                form = {k: v[0] for k, v in parse_qs(body).items()}
                if "Action" in form:
                    calls.append([form.pop("Action"), form])
        print(json.dumps(calls))
    elif cmd == "readback":
        print(json.dumps(readback(endpoint, sys.argv[3], sys.argv[4:])))
    else:
        sys.exit(f"unknown command {cmd}")
