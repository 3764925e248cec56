"""Reads the DAG files without Airflow: a static model of each file from its AST, and a tiny Jinja renderer.

Airflow cannot be installed where these tests run, so nothing here imports a DAG. Instead:
- `DagFile` evaluates the literal parts of a DAG file (constants, keyword arguments, `timedelta(...)`,
  `pendulum.datetime(...)`, `Param(...)`, Kubernetes model constructors) into plain Python values;
- `render` evaluates the handful of Jinja expressions the DAGs use (`params.x`, `macros.ds_add`, the `ds` filter,
  `var.value.get`) against a context that imitates Airflow 2's or Airflow 3's template context. An expression it
  does not know fails the test, so a DAG cannot use a template the tests never rendered.
"""

from __future__ import annotations

import ast
import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
DAGS = REPO / "airflow" / "dags"


@dataclass(frozen=True)
class CallValue:
    """A call the model does not execute (an operator, `Param`, a Kubernetes model): its name and arguments."""

    func: str
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Any:
        return self.kwargs[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.kwargs.get(key, default)


class Unresolved:
    """A value the static model cannot evaluate (kept so that a test reading it fails with a clear message)."""

    def __init__(self, node: ast.AST) -> None:
        self.source = ast.unparse(node)

    def __repr__(self) -> str:
        return f"<unresolved {self.source}>"


def dotted(node: ast.AST) -> str:
    """`a.b.c` for a Name/Attribute chain, else the unparsed source."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{dotted(node.value)}.{node.attr}"
    return ast.unparse(node)


class DagFile:
    """One DAG file: source, AST, module constants, and the values of its DAG and operator calls."""

    def __init__(self, name: str) -> None:
        self.path = DAGS / name
        self.source = self.path.read_text(encoding="utf-8")
        self.tree = ast.parse(self.source, filename=str(self.path))
        self.docstring = ast.get_docstring(self.tree) or ""
        self.constants: dict[str, Any] = {}
        for statement in self.tree.body:
            if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
                target = statement.targets[0]
                if isinstance(target, ast.Name):
                    self.constants[target.id] = self.value(statement.value)

    # --- evaluation -------------------------------------------------------------------------------------------------

    def value(self, node: ast.AST) -> Any:
        """The static value of an expression: literals, constants, known constructors; `Unresolved` otherwise."""
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Name):
            if node.id == "__doc__":
                return self.docstring
            return self.constants.get(node.id, Unresolved(node))
        if isinstance(node, (ast.List, ast.Tuple)):
            return [self.value(element) for element in node.elts]
        if isinstance(node, ast.Dict):
            return {self.value(k): self.value(v) for k, v in zip(node.keys, node.values) if k is not None}
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left, right = self.value(node.left), self.value(node.right)
            if isinstance(left, str) and isinstance(right, str):
                return left + right
            return Unresolved(node)
        if isinstance(node, ast.JoinedStr):
            return Unresolved(node)  # f-strings hide their parts from the checks: keep them out of the DAGs
        if isinstance(node, ast.Call):
            return self._call(node)
        return Unresolved(node)

    def _call(self, node: ast.Call) -> Any:
        func = dotted(node.func)
        args = tuple(self.value(a) for a in node.args)
        kwargs = {k.arg: self.value(k.value) for k in node.keywords if k.arg is not None}
        short = func.rsplit(".", 1)[-1]
        if short == "timedelta" and not args:
            return dt.timedelta(**kwargs)
        if func == "pendulum.datetime":
            tz = kwargs.pop("tz", None)
            if tz not in ("UTC", "utc"):
                return Unresolved(node)  # only UTC start dates are meaningful to the checks
            return dt.datetime(*args, **kwargs, tzinfo=dt.timezone.utc)
        if func in ("datetime", "datetime.datetime", "dt.datetime"):
            tzinfo = kwargs.get("tzinfo")
            if isinstance(tzinfo, Unresolved) and tzinfo.source in ("timezone.utc", "datetime.timezone.utc", "dt.timezone.utc"):
                kwargs["tzinfo"] = dt.timezone.utc
            return dt.datetime(*args, **kwargs)
        return CallValue(func, args, kwargs)

    # --- structure ---------------------------------------------------------------------------------------------------

    def calls(self, func_name: str) -> list[ast.Call]:
        """Every call of `func_name` (matched on the last dotted part) anywhere in the file, in source order."""
        found = [
            node
            for node in ast.walk(self.tree)
            if isinstance(node, ast.Call) and dotted(node.func).rsplit(".", 1)[-1] == func_name
        ]
        return sorted(found, key=lambda n: (n.lineno, n.col_offset))

    def dag(self) -> CallValue:
        (call,) = self.calls("DAG")
        return self._call(call)

    def dag_call(self) -> ast.Call:
        (call,) = self.calls("DAG")
        return call

    def operators(self, name: str = "KubernetesPodOperator") -> list[CallValue]:
        return [self._call(call) for call in self.calls(name)]

    def imports(self) -> set[tuple[str, str]]:
        """(module, name) for every `from module import name` in the file."""
        return {
            (node.module or "", alias.name)
            for node in ast.walk(self.tree)
            if isinstance(node, ast.ImportFrom)
            for alias in node.names
        }

    def identifiers(self) -> set[str]:
        """Every name, attribute and keyword-argument name used in the file."""
        names: set[str] = set()
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Name):
                names.add(node.id)
            elif isinstance(node, ast.Attribute):
                names.add(node.attr)
            elif isinstance(node, ast.keyword) and node.arg:
                names.add(node.arg)
        return names

    def task_arguments(self, operator: CallValue, default_args: dict[str, Any]) -> dict[str, Any]:
        """An operator's effective arguments: the DAG's default_args overlaid with its own keywords."""
        merged = dict(default_args)
        merged.update(operator.kwargs)
        return merged


# --- a tiny Jinja expression renderer ---------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"\s*(?:(?P<number>-?\d+)|(?P<string>'[^']*'|\"[^\"]*\")|(?P<name>[A-Za-z_][A-Za-z_0-9]*)|(?P<op>[.(),|\[\]]))"
)


class TemplateError(AssertionError):
    pass


class _Parser:
    """The expression subset the DAGs use, evaluated while parsed.

    expr := filtered ('or' filtered)* ; filtered := postfix ('|' NAME)* ;
    postfix := primary ('.' NAME | '(' args ')' | '[' expr ']')* ; primary := NAME | NUMBER | STRING | '(' expr ')'.
    `or` short-circuits like Jinja's: the right side is parsed but not evaluated when the left is truthy.
    """

    def __init__(self, text: str, context: dict[str, Any]) -> None:
        self.text = text
        self.context = context
        self.evaluating = True
        self.tokens: list[tuple[str, str]] = []
        position = 0
        while position < len(text):
            if text[position:].strip() == "":
                break
            match = _TOKEN.match(text, position)
            if not match:
                raise TemplateError(f"cannot read template expression {text!r} at {text[position:]!r}")
            kind = match.lastgroup or ""
            self.tokens.append((kind, match.group(kind)))
            position = match.end()
        self.index = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self, value: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token is None or (value is not None and token[1] != value):
            raise TemplateError(f"unexpected {'end' if token is None else token[1]!r} in {self.text!r}")
        self.index += 1
        return token

    def parse(self) -> Any:
        result = self.expr()
        if self.peek() is not None:
            raise TemplateError(f"unexpected {self.peek()[1]!r} in {self.text!r}")  # type: ignore[index]
        return result

    def expr(self) -> Any:
        value = self.filtered()
        while self.peek() == ("name", "or"):
            self.take("or")
            if self.evaluating and value:
                self.evaluating = False
                self.filtered()
                self.evaluating = True
            else:
                value = self.filtered()
        return value

    def filtered(self) -> Any:
        value = self.postfix()
        while self.peek() == ("op", "|"):
            self.take("|")
            kind, name = self.take()
            filters = self.context["__filters__"]
            if kind != "name" or name not in filters:
                raise TemplateError(f"unknown filter {name!r} in {self.text!r}")
            if self.evaluating:
                value = filters[name](value)
        return value

    def postfix(self) -> Any:
        value = self.primary()
        while self.peek() in (("op", "."), ("op", "("), ("op", "[")):
            _, op = self.take()
            if op == ".":
                _, attr = self.take()
                value = self._attribute(value, attr)
            elif op == "[":
                key = self.expr()
                self.take("]")
                value = self._attribute(value, key)
            else:
                args = []
                while self.peek() != ("op", ")"):
                    args.append(self.expr())
                    if self.peek() == ("op", ","):
                        self.take(",")
                self.take(")")
                value = value(*args) if self.evaluating else None
        return value

    def primary(self) -> Any:
        kind, text = self.take()
        if kind == "number":
            return int(text)
        if kind == "string":
            return text[1:-1]
        if kind == "name":
            if text not in self.context:
                raise TemplateError(f"unknown template variable {text!r} in {self.text!r}")
            return self.context[text] if self.evaluating else None
        if text == "(":
            value = self.expr()
            self.take(")")
            return value
        raise TemplateError(f"unexpected {text!r} in {self.text!r}")

    def _attribute(self, value: Any, attr: Any) -> Any:
        if not self.evaluating:
            return None
        if isinstance(value, dict):
            if attr not in value:
                raise TemplateError(f"no {attr!r} in {sorted(value)} for {self.text!r}")
            return value[attr]
        if not hasattr(value, attr):
            raise TemplateError(f"no attribute {attr!r} on {value!r} for {self.text!r}")
        return getattr(value, attr)


def render(template: str, context: dict[str, Any]) -> str:
    """Render `{{ expr }}` blocks; statements (`{% %}`) and comments are not supported and fail."""
    if "{%" in template or "{#" in template:
        raise TemplateError(f"template statements are not supported by the test renderer: {template!r}")
    return re.sub(r"\{\{(.*?)\}\}", lambda m: str(_Parser(m.group(1), context).parse()), template)


class _Macros:
    @staticmethod
    def ds_add(ds: str, days: int) -> str:
        return (dt.datetime.strptime(str(ds), "%Y-%m-%d") + dt.timedelta(days=days)).strftime("%Y-%m-%d")


class _VariableValues:
    """`var.value`: no Variables are set in the tests, so `get` returns the default."""

    def __init__(self, variables: dict[str, str]) -> None:
        self._variables = variables

    def get(self, key: str, default: Any = None) -> Any:
        return self._variables.get(key, default)


class _Var:
    def __init__(self, variables: dict[str, str]) -> None:
        self.value = _VariableValues(variables)


def _ds(value: dt.date | None) -> str | None:
    return None if value is None else value.strftime("%Y-%m-%d")


def context(
    *,
    logical_date: dt.datetime | None,
    data_interval_start: dt.datetime | None,
    data_interval_end: dt.datetime | None,
    params: dict[str, Any] | None = None,
    variables: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The parts of Airflow's template context the DAGs may use."""
    return {
        "params": dict(params or {}),
        "macros": _Macros(),
        "var": _Var(dict(variables or {})),
        "logical_date": logical_date,
        "data_interval_start": data_interval_start,
        "data_interval_end": data_interval_end,
        "ds": _ds(logical_date),
        "__filters__": {"ds": _ds, "ts": lambda v: None if v is None else v.isoformat()},
    }


def scheduled_run_context(run_at: dt.datetime, airflow_major: int, **kwargs: Any) -> dict[str, Any]:
    """The context of a daily cron run that fires at `run_at`, as each Airflow major version builds it.

    Airflow 2 (`CronDataIntervalTimetable`): the run covers the previous day, logical date = interval start.
    Airflow 3 (`CronTriggerTimetable`, the default for cron strings): logical date = interval start = end = run time.
    """
    if airflow_major == 2:
        start = run_at - dt.timedelta(days=1)
        return context(logical_date=start, data_interval_start=start, data_interval_end=run_at, **kwargs)
    if airflow_major == 3:
        return context(logical_date=run_at, data_interval_start=run_at, data_interval_end=run_at, **kwargs)
    raise ValueError(airflow_major)


def manual_run_context(triggered_at: dt.datetime | None, params: dict[str, Any]) -> dict[str, Any]:
    """A manual run whose data interval collapses to its logical date (`None`: Airflow 3 without a logical date)."""
    return context(
        logical_date=triggered_at, data_interval_start=triggered_at, data_interval_end=triggered_at, params=params
    )


def param_defaults(dag_file: DagFile) -> dict[str, Any]:
    """The DAG-level params that have a default (`Param(default, ...)` or `Param(default=...)`)."""
    params = dag_file.dag().get("params") or {}
    defaults: dict[str, Any] = {}
    for name, param in params.items():
        if isinstance(param, CallValue) and param.func == "Param":
            if param.args:
                defaults[name] = param.args[0]
            elif "default" in param.kwargs:
                defaults[name] = param.kwargs["default"]
        else:
            defaults[name] = param
    return defaults


def command_lines(dag_file: DagFile, ctx: dict[str, Any]) -> dict[str, list[str]]:
    """task_id → the rendered `arguments` of each KubernetesPodOperator in the file.

    As Airflow does, the run's params are the DAG's defaults overlaid with the trigger's values.
    """
    ctx = dict(ctx)
    ctx["params"] = {**param_defaults(dag_file), **ctx["params"]}
    lines: dict[str, list[str]] = {}
    for operator in dag_file.operators():
        arguments = operator.get("arguments")
        if not isinstance(arguments, list) or not all(isinstance(a, str) for a in arguments):
            raise AssertionError(
                f"{dag_file.path.name}: task {operator.get('task_id')!r} must pass `arguments=` as a literal list of "
                f"strings so the tests can read it, got {arguments!r}"
            )
        lines[operator["task_id"]] = [render(argument, ctx) for argument in arguments]
    return lines
