"""Passes `az` command lines through azure-cli's own parser and argument validators, without
running them: the command's body (`AzCliCommandInvoker._run_job`) is replaced by a recorder, so
nothing is sent anywhere and no login is needed. A line azure-cli would refuse (unknown command or
option, invalid choice, missing required argument, bad JMESPath in --query) exits 2 as `az`
itself would.

    az_parse.py < [[arg, ...], ...]   -> [{"argv", "exit", "outcome", "ran", "message"}, ...]

Run it with the Python of $TRUSTBRIDGE_CACHE/azure-cli (`scripts/setup.sh` installs azure-cli
there), with AZURE_CONFIG_DIR set to an empty folder. `argv` is without the leading `az`.

outcome:
    parsed       exit 0: parsed and validated; `ran` names the command it resolved to
    needs-login  exit 1 asking for `az login`: parsed; a validator wanted credentials
    error        anything else (`message` says what azure-cli printed)
"""
import io
import json
import os
import sys
import tempfile

from azure.cli.core import get_default_cli
from azure.cli.core.commands import AzCliCommandInvoker

RAN = []


def record(self, expanded_arg, cmd_copy):
    RAN.append(cmd_copy.name)
    return None


AzCliCommandInvoker._run_job = record


def parse(argv):
    RAN.clear()
    out = io.StringIO()
    with tempfile.TemporaryFile(mode="w+") as err:
        sys.stdout.flush()
        sys.stderr.flush()
        saved = os.dup(2)
        os.dup2(err.fileno(), 2)
        try:
            try:
                code = get_default_cli().invoke(list(argv), out_file=out)
            except SystemExit as e:
                code = e.code
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
        err.seek(0)
        message = err.read().strip()
    if code == 0 and len(RAN) == 1:
        outcome = "parsed"
    elif code == 1 and "Please run 'az login'" in message:
        outcome = "needs-login"
    else:
        outcome = "error"
    return {"argv": argv, "exit": code, "outcome": outcome, "ran": RAN[0] if RAN else None, "message": message}


def main():
    if not os.environ.get("AZURE_CONFIG_DIR"):
        raise SystemExit("set AZURE_CONFIG_DIR to an empty folder: this checker must not read or write ~/.azure")
    print(json.dumps([parse(a) for a in json.load(sys.stdin)]))


if __name__ == "__main__":
    main()
