"""Quarantine in groups: a post with links or media becomes a report, then is deleted and a notice coalesced."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from functions.domain.escalation import unclassified
from functions.domain.incoming import IncomingMessage
from functions.domain.jobs import NOTICE_WINDOW_SECONDS, DeliveryJob
from functions.domain.models import EvidenceItem, Outcome, ReportDraft, SubmitResult
from functions.domain.regions import is_region
from functions.errors import TransientError
from functions.i18n import t
from functions.log import get_logger
from functions.services.calls import delete_message, send
from functions.services.sessions import Context, Sessions
from functions.services.submit import EventSink, Submitter, merge_items

log = get_logger("intake")


class QuarantineStore(Protocol):
    """What quarantine needs from storage (FirestoreStore implements it)."""

    def claim_album(self, sid: str, media_group_id: str, update_id: int) -> int: ...
    def attach_evidence(self, code: str, item: EvidenceItem) -> None: ...
    def update_group(self, chat_id: int, **fields: Any) -> None: ...
    def add_group_notice_code(self, chat_id: int, bucket: int, code: str) -> None: ...


def group_draft(ctx: Context, region: str, items: list[EvidenceItem], *, quarantined: bool = False) -> ReportDraft:
    """A report posted in a group: nobody classified it (links: other; media: unreviewed, restricted until
    child_safety looks, see domain.escalation.unclassified); the posts are referenced. A quarantined post's
    author posted the content: they are not a reporter of the case."""
    urls, media = merge_items(items)
    answers = unclassified(has_media=bool(media), child_request=False)
    return ReportDraft(
        category=answers.category,
        severity=answers.severity,
        region=region,
        urls=urls,
        media=media,
        source="group",
        reporter_user_id=ctx.user_id,
        reporter_chat_id=ctx.user_id,
        reporter_lang=ctx.lang,
        group_chat_id=ctx.chat_id,
        group_message_ids=[item.message_id for item in items],
        not_a_reporter=quarantined,
    )


@dataclass
class Quarantine:
    """/quarantine on|off and the quarantined posts."""

    store: QuarantineStore
    sessions: Sessions
    submitter: Submitter
    jobs: EventSink
    deliveries_topic: str
    clock: Callable[[], datetime]
    is_admin: Callable[[int], bool]
    bot_can_delete: Callable[[int], bool | None]

    def setting(self, message: IncomingMessage, lang: str, arg: str) -> Outcome:
        """/quarantine on|off, committee administrators only; says at once when the bot lacks delete rights."""
        chat_id = message.chat_id
        user_id = message.sender.user_id
        if not self.is_admin(user_id):
            return Outcome(body=send(chat_id, t(lang, "admins_only"), reply_to=message.message_id))
        if arg not in {"on", "off"}:
            return Outcome(body=send(chat_id, t(lang, "quarantine_usage")))
        if arg == "off":
            self.store.update_group(chat_id, quarantine=False, changed_by=user_id)
            return Outcome(body=send(chat_id, t(lang, "quarantine_off")))
        can_delete = self.bot_can_delete(chat_id)
        fields: dict[str, Any] = {"quarantine": True, "enabled": True, "changed_by": user_id}
        if can_delete is not None:
            fields["bot_can_delete"] = can_delete
        text = t(lang, "quarantine_on")
        if not can_delete:
            fields["rights_warned"] = True
            text += "\n\n" + t(lang, "quarantine_needs_rights")
        self.store.update_group(chat_id, **fields)
        return Outcome(body=send(chat_id, text))

    def post(self, ctx: Context, group: dict[str, Any], item: EvidenceItem, message: IncomingMessage) -> Outcome:
        """Register the post as a report, then (only once it is stored) delete it and coalesce a notice."""
        can_delete = bool(group.get("bot_can_delete"))
        if item.media_group_id is not None:
            owner = self.store.claim_album(ctx.sid, item.media_group_id, ctx.update_id)
            if owner != ctx.update_id:
                flow = ctx.session
                if flow is None or flow.started_by_update != owner or not flow.report_code:
                    raise TransientError("album part arrived before its report was stored")
                self.store.attach_evidence(flow.report_code, item)
                return Outcome(body=delete_message(ctx.chat_id, message.message_id) if can_delete else None)
        profile = ctx.profile
        session = self.sessions.new(ctx, "group_region", "group_region")
        session.region = profile.region if profile is not None and is_region(profile.region) else ""
        warn = not can_delete and not group.get("rights_warned")
        draft = group_draft(ctx, str(session.region), [item], quarantined=True)
        session.last_update_id = ctx.update_id

        def outcome_for(result: SubmitResult) -> str:
            if can_delete:
                return Outcome(body=delete_message(ctx.chat_id, message.message_id)).model_dump_json()
            key = "group_report_created" if result.outcome == "created" else "group_report_joined"
            text = t(ctx.lang, key, code=result.code)
            if warn:
                text += "\n\n" + t(ctx.lang, "quarantine_needs_rights")
            return Outcome(body=send(ctx.chat_id, text, reply_to=message.message_id)).model_dump_json()

        result, outcome = self.submitter.submit(draft, session, outcome_for)
        if warn:
            self.store.update_group(ctx.chat_id, rights_warned=True)
        if can_delete:
            self._queue_group_notice(ctx.chat_id, result.code)
        return outcome

    def _queue_group_notice(self, chat_id: int, code: str) -> None:
        """Add the case to this window's notice; deliver sends one notice per window listing every code."""
        bucket = int(self.clock().timestamp()) // NOTICE_WINDOW_SECONDS
        self.store.add_group_notice_code(chat_id, bucket, code)
        job = DeliveryJob(
            job_id=f"gn-{chat_id}-{bucket}-{code}",
            kind="group_notice",
            report_id=code,
            recipient_id=chat_id,
            event_id=f"gn-{chat_id}-{bucket}",
            argument=str(bucket),
        )
        try:
            self.jobs.publish(self.deliveries_topic, job)
        except TransientError:
            log.warning("group notice not queued", extra={"report_id": code})
