"""Reads a role pack's CloudFormation template (as CloudFormation would, with the given pseudo
parameters) and prints what it grants: {"managed": {name: doc}, "roles": {name: {"trust", "inline", "attached"}}}.

    pack_cfn.py TEMPLATE PARTITION ACCOUNT REGION
"""
import json
import re
import sys

import yaml

path, partition, account, region = sys.argv[1:5]
doc = yaml.safe_load(open(path))
pseudo = {"AWS::Partition": partition, "AWS::AccountId": account, "AWS::Region": region, "AWS::URLSuffix": "amazonaws.com"}
res = doc["Resources"]
names = {lid: r["Properties"].get("ManagedPolicyName") for lid, r in res.items() if r["Type"] == "AWS::IAM::ManagedPolicy"}


def ev(v):
    if isinstance(v, dict):
        if set(v) == {"Fn::Sub"}:
            return re.sub(r"\$\{([^}]+)\}", lambda m: pseudo[m.group(1)], v["Fn::Sub"])
        if set(v) == {"Ref"}:
            return names[v["Ref"]]
        return {k: ev(x) for k, x in v.items()}
    if isinstance(v, list):
        return [ev(x) for x in v]
    return v


out = {"managed": {}, "roles": {}}
for r in res.values():
    p = r["Properties"]
    if r["Type"] == "AWS::IAM::ManagedPolicy":
        out["managed"][p["ManagedPolicyName"]] = ev(p["PolicyDocument"])
    elif r["Type"] == "AWS::IAM::Role":
        out["roles"][p["RoleName"]] = {
            "trust": ev(p["AssumeRolePolicyDocument"]),
            "inline": {x["PolicyName"]: ev(x["PolicyDocument"]) for x in p.get("Policies", [])},
            "attached": [ev(a) for a in p.get("ManagedPolicyArns", [])],
        }
print(json.dumps(out))
