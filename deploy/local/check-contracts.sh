#!/usr/bin/env bash
# Checks the gRPC contracts: buf lint (protos/buf.yaml) and buf breaking against the checked-in
# baseline of the last released contracts (protos-baseline/, plain .proto text). Installs the pinned
# buf CLI from the npm registry into .local/tools when it is missing; needs no stdin (CI=true).
set -euo pipefail
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$SCRIPT_DIR/../.." && pwd)
cd "$REPO"

# Pinned exactly: a new buf release may add lint rules, and the check must not change by itself.
BUF_VERSION=1.75.0
TOOLS="$REPO/.local/tools"
BUF="$TOOLS/node_modules/.bin/buf"

if [[ ! -x $BUF ]] || [[ $("$BUF" --version 2>/dev/null) != "$BUF_VERSION" ]]; then
    echo "check-contracts: installing @bufbuild/buf@$BUF_VERSION into .local/tools"
    mkdir -p "$TOOLS"
    npm install --prefix "$TOOLS" --no-save --no-audit --no-fund --loglevel=error \
        "@bufbuild/buf@$BUF_VERSION" </dev/null
fi

echo "check-contracts: buf lint protos"
"$BUF" lint protos
echo "check-contracts: buf breaking protos --against protos-baseline"
"$BUF" breaking protos --against protos-baseline
echo "check-contracts: ok"
