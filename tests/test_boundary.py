"""The mathematics stays apart from the pages: a test that reads the topics' imports and strings.

In every topic package of ``computations/``, each module except ``pages.py`` (the present
stage) must import neither matplotlib nor the report and check vocabulary, and hold no
Chinese text: it can be read, tested and reused without the site. ``computations/results.py``,
the run stage's vocabulary, obeys the same rule.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

COMPUTATIONS = Path(__file__).resolve().parent.parent / "computations"
PRESENTATION = {"pages.py"}
FORBIDDEN = ("matplotlib", "mpl_toolkits", "computations.report", "computations.checks")
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")


def math_modules() -> list[Path]:
    topics = [folder for folder in COMPUTATIONS.iterdir() if (folder / "__init__.py").is_file()]
    modules = [path for topic in topics for path in sorted(topic.glob("*.py")) if path.name not in PRESENTATION]
    return [COMPUTATIONS / "results.py", *modules]


def imports(tree: ast.AST, module: str) -> list[str]:
    package = module.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolve against the module's package
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            found += [base, *(f"{base}.{alias.name}" for alias in node.names)]
    return found


def violations(path: Path) -> list[str]:
    module = ".".join(path.relative_to(COMPUTATIONS.parent).with_suffix("").parts)
    tree = ast.parse(path.read_text(encoding="utf-8"))
    wrong = [name for name in imports(tree, module) if name.startswith(FORBIDDEN)]
    texts = [node.value for node in ast.walk(tree) if isinstance(node, ast.Constant) and isinstance(node.value, str)]
    chinese = [text[:40] for text in texts if CJK.search(text)]
    return [f"imports {name}" for name in wrong] + [f"Chinese text {text!r}" for text in chinese]


@pytest.mark.parametrize("path", math_modules(), ids=lambda path: str(path.relative_to(COMPUTATIONS)))
def test_math_modules_know_nothing_of_pages(path: Path) -> None:
    assert violations(path) == []


def test_the_rule_catches_what_it_forbids(tmp_path: Path) -> None:
    topic = tmp_path / "computations" / "topic"
    topic.mkdir(parents=True)
    bad = topic / "theory.py"
    bad.write_text('from ..report import Figure\nimport matplotlib.pyplot\nLABEL = "维数"\n', encoding="utf-8")
    tree = ast.parse(bad.read_text(encoding="utf-8"))
    assert "computations.report.Figure" in imports(tree, "computations.topic.theory")
    assert any(name.startswith("matplotlib") for name in imports(tree, "computations.topic.theory"))
    assert CJK.search("维数") and not CJK.search("theta θ ≤ π")
