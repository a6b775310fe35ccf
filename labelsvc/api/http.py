"""What every endpoint shares: auth, body and query parsing, idempotency, answers."""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable
from typing import Any

from flask import Response, g, request
from pydantic import BaseModel
from spectree import Response as SpecResponse
from spectree import SecurityScheme, SecuritySchemeData, SpecTree
from spectree.models import SecureType

from labelsvc.appcontext import PROBLEM_JSON, database, run_once
from labelsvc.contract.common import Problem, WriteHeaders
from labelsvc.contract.values import refuse_nul
from labelsvc.errors import InvalidJson, UnsupportedMediaType, ValidationFailed
from labelsvc.services import tokens
from labelsvc.services.tokens import Actor

log = logging.getLogger(__name__)

MAX_KEY_LENGTH = 200

spec = SpecTree(
    "flask", mode="strict", title="labelsvc", version="v1",
    annotations=False,
    security_schemes=[SecurityScheme(name="bearer",
                                     data=SecuritySchemeData(type=SecureType.HTTP,
                                                             scheme="bearer"))],
    security={"bearer": []},
)


def actor() -> Actor:
    """The authenticated caller of this request."""
    who: Actor = g.actor
    return who


def as_sent(body: BaseModel) -> dict[str, Any]:
    """A definition's body as sent: the keys it carried, extra ones included."""
    return body.model_dump(exclude_unset=True)


def json_response(answer: BaseModel, status: int = 200, *,
                  headers: dict[str, str] | None = None) -> Response:
    """Answer a service's answer model as it is, serialised once (fields it was not given,
    such as a serial's quantity, are left out)."""
    body = answer.model_dump_json(exclude_unset=True)
    return Response(body, status=status, mimetype="application/json", headers=headers)


def answered_before_commit(view: Callable[[], Response]) -> Response:
    """Run a write and build its answer in one transaction: an answer that cannot be made
    rolls the write back, so a server error never follows a commit."""
    with database().transaction():
        response = view()
        if not response.is_streamed:
            response.get_data()
    return response


def wants_csv() -> bool:
    """Say whether the client asked for CSV rather than JSON."""
    best = request.accept_mimetypes.best_match(["application/json", "text/csv"])
    return best == "text/csv" and request.accept_mimetypes["text/csv"] > \
        request.accept_mimetypes["application/json"]


def problem_response(problem: dict[str, Any]) -> Response:
    """Answer an RFC 9457 problem document."""
    return Response(json.dumps(problem, ensure_ascii=False), status=problem["status"],
                    mimetype=PROBLEM_JSON)


def _bearer_token() -> str | None:
    """Read the bearer token from the Authorization header."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _reject_nonfinite(constant: str) -> Any:
    """Refuse NaN and Infinity, which are not JSON."""
    raise InvalidJson(f"{constant} is not valid JSON")


def read_body(model: type[BaseModel]) -> Any:
    """Parse and validate the JSON body, answering 415, 400 or 422 in plant words."""
    mimetype = request.mimetype or ""
    if mimetype != "application/json" and not mimetype.endswith("+json"):
        raise UnsupportedMediaType(
            f"send the body as application/json, not {mimetype or 'no content type'}",
            {"Content-Type": "must be application/json"})
    raw = request.get_data(cache=True)
    if not raw.strip():
        raise InvalidJson("the body is empty; send a JSON object")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidJson(f"the body is not UTF-8 (byte {exc.start})") from exc
    try:
        data = json.loads(text, parse_constant=_reject_nonfinite)
    except json.JSONDecodeError as exc:
        raise InvalidJson(f"the body is not valid JSON: {exc.msg} at line {exc.lineno} "
                          f"column {exc.colno}") from exc
    except RecursionError as exc:
        raise InvalidJson("the body is nested too deeply") from exc
    if "\\u0000" in text:  # JSON can carry a NUL only as this escape
        refuse_nul(data)
    return model.model_validate(data)


def read_query(model: type[BaseModel]) -> Any:
    """Validate the query string."""
    args = request.args.to_dict()
    refuse_nul(args)
    return model.model_validate(args)


def endpoint(*, capability: str | None = tokens.READ, body: type[BaseModel] | None = None,
             query: type[BaseModel] | None = None,
             answers: dict[int, type[BaseModel] | None] | None = None,
             tags: tuple[str, ...] = (), public: bool = False,
             own_commit: bool = False) -> Callable[..., Any]:
    """Declare an endpoint: who may call it, what it reads and what it answers.

    The view receives `body` and `query` as validated models. Writes carrying an
    `Idempotency-Key` header run once per key and token. Every write runs in one
    transaction that its answer is built in, unless `own_commit` says the service builds its
    answer before its own commit (issuing, whose single statement commits as it runs).
    """
    codes: dict[str, type[BaseModel] | None] = {
        f"HTTP_{status}": model for status, model in (answers or {}).items()}
    refusals = (400, 415, 422) if public else (400, 401, 403, 404, 409, 415, 422)
    for status in refusals if (body or query or not public) else ():
        codes.setdefault(f"HTTP_{status}", Problem)

    def decorate(view: Callable[..., Response]) -> Callable[..., Response]:
        @functools.wraps(view)
        def wrapper(**kwargs: Any) -> Response:
            refuse_nul(kwargs)  # path parameters
            refuse_nul({"Idempotency-Key": request.headers.get("Idempotency-Key", "")})
            if not public:
                g.actor = tokens.authenticate(database(), _bearer_token())
                if capability:
                    g.actor.require(capability)

            def run() -> Response:
                if query is not None:
                    kwargs["query"] = read_query(query)
                if body is not None:
                    kwargs["body"] = read_body(body)
                return view(**kwargs)

            key = request.headers.get("Idempotency-Key")
            if key is None or public or request.method not in ("POST", "PUT"):
                if public or capability == tokens.READ or own_commit or request.method == "GET":
                    return run()
                return answered_before_commit(run)
            if not key or len(key) > MAX_KEY_LENGTH:
                raise ValidationFailed(f"an Idempotency-Key has 1 to {MAX_KEY_LENGTH} characters",
                                       {"Idempotency-Key": f"1 to {MAX_KEY_LENGTH} characters"})
            return run_once(run, g.actor, key)

        writes = body is not None and not public
        documented = spec.validate(json=body, query=query,
                                   headers=WriteHeaders if writes else None,
                                   resp=SpecResponse(**codes), tags=list(tags),
                                   security=None if not public else {},
                                   skip_validation=True)(wrapper)

        @functools.wraps(documented)
        def direct(**kwargs: Any) -> Response:
            # spectree documents the endpoint; it is not in the call path, where it would
            # read every answer back into memory (a CSV export or a large render streams).
            return wrapper(**kwargs)

        return direct

    return decorate
