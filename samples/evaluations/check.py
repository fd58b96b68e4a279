#!/usr/bin/env python3
"""Validates the seed evaluation files in this folder (layout: README.md).

For every *.yaml here: weights add to 100 (header + items, and each level's items to the level's
weight where one is given); every item has a target (or says why the seed has none) and an actual
source; every number in a target, a declared actual, the header or a money figure occurs literally
in the seed; every text is a verbatim passage of the seed (whitespace ignored, so passages joined
across the seed's page breaks still match); every target, text, money figure, observation and seed
score stands on the seed line(s) it cites; every formula names only known functions and observation
metrics (read from services/Indicator/Domain/FormulaEvaluation.cs).
Usage: python3 samples/evaluations/check.py [--seeds DIR]   (exit status 1 on any error)
"""
import argparse
import pathlib
import re
import sys
from decimal import Decimal

import yaml

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parent.parent
DIRECTIONS = {"HigherIsBetter", "LowerIsBetter", "Exact", "Range", "Qualitative", "Compound"}
FUNCTIONS = {"actual", "budget", "executed", "prior", "opening", "closing", "obs", "value",
             "sum", "if", "coalesce", "months_of_payment"}
NUMBER = re.compile(r"\d+(?:\.\d+)?")


def observation_metrics():
    source = (REPO / "services/Indicator/Domain/FormulaEvaluation.cs").read_text(encoding="utf-8")
    return set(re.findall(r'new\("([a-z-]+)", "', source))


def squeeze(text):
    return re.sub(r"\s+", "", text)


class Checker:
    def __init__(self, path, seed_text, metrics):
        self.path = path
        self.seed = seed_text
        self.seed_lines = seed_text.split("\n")
        self.seed_squeezed = squeeze(seed_text)
        self.metrics = metrics
        self.errors = []
        self.warnings = []
        self.numbers_checked = 0

    def error(self, where, message):
        self.errors.append(f"{self.path.name}: {where}: {message}")

    def warn(self, where, message):
        self.warnings.append(f"{self.path.name}: {where}: {message}")

    def numbers_in_seed(self, where, value):
        text = str(value)
        for match in NUMBER.finditer(text):
            self.numbers_checked += 1
            negative = text[:match.start()].strip() == "-"
            number = ("-" if negative else "") + match.group()
            pattern = r"(?<![\d.])" + re.escape(number).replace("\\-", "-\\s*") + r"(?!\d)(?!\.\d)"
            if not re.search(pattern, self.seed):
                self.error(where, f"number {number} (in {text!r}) does not occur in the seed")

    def verbatim(self, where, text):
        if not isinstance(text, str) or not text.strip():
            self.error(where, "empty text")
        elif squeeze(text) not in self.seed_squeezed:
            self.error(where, f"text is not verbatim in the seed: {text[:40]!r}…")

    def on_lines(self, where, spec, value):
        """The value stands on the cited lines: "7, 16" = on either; "165-167" = across that range."""
        if spec is None:
            self.error(where, "no lines cited")
            return
        passages = []
        for part in str(spec).split(","):
            first, _, last = part.strip().partition("-")
            try:
                start, end = int(first), int(last or first)
            except ValueError:
                self.error(where, f"bad lines {spec!r}")
                return
            passages.append(squeeze("".join(self.seed_lines[start - 1:end])))
        if not any(squeeze(str(value)) in passage for passage in passages):
            self.error(where, f"{str(value)[:30]!r} is not on line(s) {spec}")

    def formula(self, where, formula):
        for name in re.findall(r"([A-Za-z_]+)\s*\(", formula):
            if name not in FUNCTIONS:
                self.error(where, f"formula uses unknown function {name!r}")
        for metric in re.findall(r'obs\("([^"]+)"', formula):
            if metric not in self.metrics:
                self.error(where, f"formula reads unknown observation {metric!r}")

    def actual(self, where, actual):
        if not isinstance(actual, dict) or actual.get("source") not in ("formula", "declared"):
            self.error(where, "actual.source must be formula or declared")
            return
        if actual["source"] == "formula":
            if not actual.get("formula"):
                self.error(where, "formula source without a formula")
            else:
                self.formula(where, actual["formula"])
            if "declared" in actual:
                self.numbers_in_seed(where + ".declared", actual["declared"])
                self.verbatim(where + ".declared", str(actual["declared"]))
        else:
            if actual.get("value_missing"):
                self.warn(where, "no actual value in the seed: " + " ".join(str(actual["value_missing"]).split())[:70])
            elif "value" not in actual or actual["value"] in (None, ""):
                self.error(where, "declared source without a value or a value_missing reason")
            else:
                self.numbers_in_seed(where + ".value", actual["value"])
                self.verbatim(where + ".value", str(actual["value"]))
            if "declared_completion" in actual:
                self.numbers_in_seed(where + ".declared_completion", actual["declared_completion"])
                self.verbatim(where + ".declared_completion", str(actual["declared_completion"]))
            for key in ("data_source", "evidence"):
                if key in actual:
                    self.verbatim(f"{where}.{key}", actual[key])

    def indicator(self, where, item):
        where = f"{where}/{item.get('code', '?')}"
        for key in ("code", "name", "weight", "actual"):
            if key not in item:
                self.error(where, f"missing {key}")
        if item.get("name_constructed"):
            self.verbatim(where + ".name_constructed", item["name_constructed"].split(" writes ", 1)[-1])
        else:
            self.verbatim(where + ".name", item.get("name", ""))
        if "target" in item:
            target = str(item["target"])
            self.numbers_in_seed(where + ".target", target)
            line = item.get("seed_line")
            if line is None:
                self.error(where, "target without seed_line")
            else:
                self.on_lines(where + ".target", line, target)
            if item.get("direction") not in DIRECTIONS:
                self.error(where, f"direction {item.get('direction')!r} is not one of {sorted(DIRECTIONS)}")
        elif item.get("target_missing"):
            self.warn(where, "no target in the seed: " + " ".join(str(item["target_missing"]).split())[:70])
        else:
            self.error(where, "no target and no target_missing reason")
        for i, part in enumerate(item.get("parts", [])):
            if part.get("direction") not in DIRECTIONS:
                self.error(f"{where}.parts[{i}]", "bad direction")
            if squeeze(str(part.get("name", "")) + str(part.get("target", ""))) not in squeeze(str(item.get("target", ""))):
                self.error(f"{where}.parts[{i}]", "a part must be a piece of the item's target")
        self.actual(where + ".actual", item.get("actual"))
        return Decimal(str(item.get("weight", 0)))

    def weights(self, data):
        total = Decimal(0)
        header = data.get("budget_execution")
        if header:
            total += Decimal(str(header["weight"]))
            self.actual("budget_execution.actual", header.get("actual"))
            for key in ("declared_budget", "declared_executed", "declared_rate"):
                if key in header:
                    self.numbers_in_seed(f"budget_execution.{key}", header[key])
                    self.on_lines(f"budget_execution.{key}", header.get("seed_lines"), header[key])
        count = 0
        for level in data.get("levels", []):
            level_sum = Decimal(0)
            for child in level.get("children", []):
                child_sum = Decimal(0)
                for item in child.get("indicators", []):
                    child_sum += self.indicator(f"{level['name']}/{child.get('name')}", item)
                    count += 1
                if "weight" in child and Decimal(str(child["weight"])) != child_sum:
                    self.error(f"{level['name']}/{child.get('name')}", f"items add to {child_sum}, level says {child['weight']}")
                level_sum += child_sum
            if "weight" in level and Decimal(str(level["weight"])) != level_sum:
                self.error(level["name"], f"items add to {level_sum}, level says {level['weight']}")
            total += level_sum
        if total != 100:
            self.error("weights", f"add to {total}, not 100")
        return count, total

    def texts(self, texts):
        def walk(where, node):
            if isinstance(node, dict):
                if "text" in node:
                    self.verbatim(where, node["text"])
                    self.on_lines(where, node.get("lines"), node["text"])
                    return
                if "value" in node:
                    self.verbatim(where, str(node["value"]))
                    self.numbers_in_seed(where, node["value"])
                    self.on_lines(where, node.get("lines"), node["value"])
                    return
                for key, child in node.items():
                    walk(f"{where}.{key}", child)
            elif isinstance(node, list):
                for i, child in enumerate(node):
                    walk(f"{where}[{i}]", child)
        walk("texts", texts or {})

    def observations(self, observations):
        for i, observation in enumerate(observations or []):
            where = f"observations[{i}] {observation.get('metric')}"
            if observation.get("metric") not in self.metrics:
                self.error(where, "unknown observation metric")
            self.numbers_in_seed(where, observation.get("value", ""))
            self.on_lines(where, observation.get("lines"), observation.get("value", ""))

    def seed_scores(self, scores):
        for i, score in enumerate(scores or []):
            for key in ("weight", "score"):
                self.numbers_in_seed(f"seed_scores[{i}].{key}", score.get(key, ""))
                self.on_lines(f"seed_scores[{i}].{key}", score.get("lines"), score.get(key, ""))

    def money(self, money):
        for i, figure in enumerate((money or {}).get("figures", [])):
            where = f"money.figures[{i}] {figure.get('fund', '')} {figure.get('item', '')}"
            if "value" not in figure or "source" not in figure or "lines" not in figure:
                self.error(where, "a figure needs value, source and lines")
                continue
            self.numbers_in_seed(where, figure["value"])
            self.verbatim(where, str(figure["value"]))
            self.on_lines(where, figure["lines"], str(figure["value"]).lstrip("-") if figure["value"] != "0" else "0")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", default="/work/shared/seeds")
    args = parser.parse_args()
    metrics = observation_metrics()
    failed = False
    for path in sorted(HERE.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        seed_text = (pathlib.Path(args.seeds) / data["seed"]).read_text(encoding="utf-8")
        checker = Checker(path, seed_text, metrics)
        count, total = checker.weights(data)
        checker.texts(data.get("texts"))
        checker.money(data.get("money"))
        checker.observations(data.get("observations"))
        checker.seed_scores(data.get("seed_scores"))
        figures = len((data.get("money") or {}).get("figures", []))
        print(f"{path.name}: {count} items, weights {total}, {figures} money figures, "
              f"{checker.numbers_checked} numbers checked against {data['seed']}: "
              f"{len(checker.errors)} errors, {len(checker.warnings)} warnings")
        for line in checker.warnings:
            print("  warning:", line)
        for line in checker.errors:
            print("  ERROR:", line)
        failed |= bool(checker.errors)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
