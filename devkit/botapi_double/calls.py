"""One Bot API call through the double: token, method, faults, parameters, the handler, the record."""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any

from .faults import fault_answer, take_fault
from .formatting import PARSE_MODES
from .markup import decode_markup_param, validate_reply_markup
from .recording import CallRecord, chat_key, shown_decoded, shown_params
from .spec import ApiError, MethodSpec, UploadedFile, bad_request
from .state import EMPTY_MESSAGES, MEDIA_METHODS, TOKEN_RE, Described, DoubleState, wall_clock


class CallDispatch(DoubleState):
    """Answers calls by the spec; the handlers are the `_m_<method>` methods of the method groups."""

    def call(
        self,
        token: str,
        method: str,
        raw: Mapping[str, Any],
        files: Mapping[str, UploadedFile] | None = None,
        *,
        typed: bool = False,
        via_webhook: bool = False,
        http_method: str = "POST",
    ) -> tuple[int, dict[str, Any]]:
        """Handle one Bot API call; returns (HTTP status, JSON body). Every call is recorded."""
        files = files or {}
        lower = method.lower()
        mspec = self.spec.methods.get(lower)
        name = mspec.name if mspec else self.spec.all_methods.get(lower, method)
        shown = shown_params(raw, files)

        def finish(error: ApiError, fault: str | None = None) -> tuple[int, dict[str, Any]]:
            record = CallRecord(name, shown, via_webhook, http_method, fault)
            return self._finish(record, error.body(), error.code)

        if not TOKEN_RE.match(token) or (self.token is not None and token != self.token):
            return finish(ApiError(401, "Unauthorized"))
        if mspec is None:
            return finish(ApiError(404, "Not Found"))
        with self._lock:
            self._last_token = token
            rule = take_fault(self._faults, lower, chat_key(raw.get("chat_id")))
            interrupt = self._interrupt
        if rule is not None:
            error = fault_answer(rule, interrupt)
            if error is not None:
                return finish(error, rule.kind)
        with self._lock:
            decoded: dict[str, Any] = {}
            try:
                result, description = self._execute(mspec, token, raw, files, typed=typed, decoded=decoded)
                body: dict[str, Any] = {"ok": True, "result": result}
                if description:
                    body["description"] = description
                status = 200
            except ApiError as err:
                body, status = err.body(), err.code
            shown.update(shown_decoded(decoded))
            record = CallRecord(name, shown, via_webhook, http_method, rule.kind if rule else None)
            return self._finish(record, body, status)

    def _finish(self, call: CallRecord, body: dict[str, Any], status: int) -> tuple[int, dict[str, Any]]:
        with self._lock:
            self._seq += 1
            record: dict[str, Any] = {
                "seq": self._seq,
                "ts": wall_clock(),
                "method": call.method,
                "params": call.params,
                "status": status,
                "response": copy.deepcopy(body),
                "via_webhook_response": call.via_webhook,
                "http_method": call.http_method,
            }
            if call.fault:
                record["fault"] = call.fault
            self._calls.append(record)
            self._cond.notify_all()
        return status, body

    def _execute(
        self,
        mspec: MethodSpec,
        token: str,
        raw: Mapping[str, Any],
        files: Mapping[str, UploadedFile],
        *,
        typed: bool,
        decoded: dict[str, Any],
    ) -> tuple[Any, str | None]:
        skip = ("reply_markup", "media")
        params = self.spec.decode_params(mspec, raw, files, typed, skip=skip)
        decoded.update(params)
        required = sorted((f.name for f in mspec.fields if f.required), key=lambda n: n != "text")
        for name in required:
            if name not in params:
                kind = MEDIA_METHODS.get(mspec.name.lower())
                if kind is not None and name == kind:
                    raise bad_request(f"there is no {kind.replace('_', ' ')} in the request")
                raise bad_request(EMPTY_MESSAGES.get(name, f"{name} is empty"))
        for key in ("parse_mode", "quote_parse_mode"):
            if key in params and str(params[key]).lower() not in PARSE_MODES:
                raise bad_request("unsupported parse_mode")
        if "reply_markup" in params:
            field_spec = mspec.field("reply_markup")
            allowed = field_spec.types if field_spec else ()
            markup = decode_markup_param(params["reply_markup"])
            decoded["reply_markup"] = markup
            params["reply_markup"] = validate_reply_markup(self.spec, markup, allowed)
        handler: Callable[[str, dict[str, Any], Mapping[str, UploadedFile]], Any] = getattr(
            self, "_m_" + mspec.name.lower()
        )
        result = handler(token, params, files)
        if isinstance(result, Described):
            return result.value, result.description
        return result, None
