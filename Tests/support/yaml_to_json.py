"""Reads YAML documents from stdin (separated by `---` lines) with PyYAML's safe loader and prints each as one line
of JSON (keys sorted), for the test that checks our YAML writer against a real YAML reader."""
import json
import sys

import yaml

for document in yaml.safe_load_all(sys.stdin.read()):
    print(json.dumps(document, sort_keys=True, ensure_ascii=False))
