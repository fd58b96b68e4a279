#!/usr/bin/env bash
# Renders every produced report file to PNG so a person can look at it: LibreOffice headless turns
# each .xlsx / .docx / .html into PDF, pdftoppm turns each PDF page into a PNG.
#
#   bash deploy/local/render-check.sh [FOLDER]
#
# FOLDER defaults to .local/out/example, which is (re)filled with the worked example (伽师县 2020
# resident fund, every format, plus the transfer-regional table) by the reporting benchmark's --write.
# Pages land in FOLDER/pages/<file>-<page>.png. Check by eye: the table layout matches the seeds'
# 自评表 (merged 一级 / 二级 cells, header block, total and grade) and the Chinese text is right.
# Needs (as root, once): apt-get install -y libreoffice-writer-nogui libreoffice-calc-nogui poppler-utils fonts-noto-cjk
set -euo pipefail
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$SCRIPT_DIR/../.." && pwd)
FOLDER=${1:-$REPO/.local/out/example}

for tool in soffice pdftoppm; do
    command -v "$tool" >/dev/null || {
        echo "render-check: $tool is missing; install libreoffice-writer-nogui libreoffice-calc-nogui poppler-utils" >&2
        exit 1
    }
done
fc-list :lang=zh family | grep -q . || echo "render-check: warning: no CJK font installed (apt-get install -y fonts-noto-cjk)" >&2

if [[ -z ${1:-} ]]; then
    dotnet build "$REPO/benchmarks/PerfEval.Reporting.Benchmarks" -c Release -nologo -v quiet
    dotnet "$REPO/benchmarks/PerfEval.Reporting.Benchmarks/bin/Release/net10.0/PerfEval.Reporting.Benchmarks.dll" --write "$FOLDER" >/dev/null
fi

PAGES=$FOLDER/pages
rm -rf "$PAGES" && mkdir -p "$PAGES/pdf"
# A private LibreOffice profile: no clash with a running instance, nothing written to $HOME.
PROFILE=$(mktemp -d)
trap 'rm -rf "$PROFILE"' EXIT
shopt -s nullglob
files=("$FOLDER"/*.xlsx "$FOLDER"/*.docx "$FOLDER"/*.html)
((${#files[@]})) || { echo "render-check: no .xlsx, .docx or .html in $FOLDER" >&2; exit 1; }
for file in "${files[@]}"; do
    name=$(basename "$file")
    soffice -env:UserInstallation=file://"$PROFILE" --headless --convert-to pdf --outdir "$PAGES/pdf" "$file" >/dev/null 2>&1
    pdf="$PAGES/pdf/${name%.*}.pdf"
    [[ -f $pdf ]] || { echo "render-check: LibreOffice produced no PDF for $name" >&2; exit 1; }
    # Two files may share a stem (x.docx, x.html): keep the extension in the page names.
    mv "$pdf" "$PAGES/pdf/$name.pdf"
    pdftoppm -png -r 80 "$PAGES/pdf/$name.pdf" "$PAGES/$name"
done
ls -1 "$PAGES"/*.png
