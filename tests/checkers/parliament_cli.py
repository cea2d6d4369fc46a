"""parliament's own CLI, with its --config `ignore_locations` working.

parliament 1.6.4 (the current release) compares each `ignore_locations` value through
parliament.misc.make_list, which since the switch to jsoncfg line numbers only understands jsoncfg
nodes: for the plain strings and lists a YAML config holds it returns [], so no ignore ever matches
(severity overrides still work). This runs the unchanged CLI with that one helper, as the CLI's
ignore check sees it, replaced by a plain "make it a list". Arguments, output and exit status are
parliament's (0: no findings, 1: findings printed).

    python3 parliament_cli.py --json --files POLICY.json --config CONFIG.yaml
"""
import sys

from parliament import cli

cli.make_list = lambda v: v if isinstance(v, list) else [v]
sys.exit(cli.main(sys.argv))
