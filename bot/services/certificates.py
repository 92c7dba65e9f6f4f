"""Certificates: issued when a participant completes a course, sent again on request (/sertifikat), verified by
anyone (/cek, the QR code's deep link) and revoked by admins.

A certificate row never holds the holder's name (bot/storage/certificates.py): the PDF and a verification read it
from the participant, so an erasure takes it away; the certificate then says it belonged to a participant who
erased their data. A verification shows the name partly masked (mask_name) and nothing else of the person.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.config import Settings
from bot.services.certificate_numbers import BadNumber, mask_name, new_number, parse_number
from bot.services.certificate_template import CertificateTemplate
from bot.services.enrollment import Refusal
from bot.services.reminders import ReminderPlanner
from bot.services.survey_runs import SURVEY_PRIORITY
from bot.storage.catalogue import Course, CourseSession
from bot.storage.certificates import AttendedSession, Certificate, NewCertificate
from bot.storage.enrollments import Enrollment
from bot.storage.participants import Participant
from bot.storage.presence import PRESENT
from bot.storage.store import Store, Unit

# The outbox kind of a certificate's PDF (bot/delivery/certificates.py builds it when it is sent).
CERTIFICATE_KIND = "certificate"
# Numbers are random: a clash with an existing one is drawn again (34 billion a year make two draws rare).
NUMBER_DRAWS = 8
MAX_REASON = 200

Status = Literal["malformed", "mistyped", "unknown", "valid", "revoked", "erased"]


def subject(certificate_id: int) -> str:
    """The outbox subject prefix of a certificate's rows (its PDF), so a revocation withdraws one not sent yet."""
    return f"certificate:{certificate_id}:"


@dataclass(frozen=True, slots=True)
class Attended:
    sessions: list[CourseSession]
    total: int


async def sessions_attended(unit: Unit, enrollment: Enrollment, now: datetime) -> Attended:
    """The sessions of the enrolment's course the participant attended: the one place that decides what a
    certificate counts. Of the sessions that have ended, one where attendance was taken (the venue's QR or the
    roll call: PresenceRepository.counted_sessions) counts if they were recorded present; one where nobody took
    attendance was not checked and counts, as it does for the completion rule (MIN_ATTENDANCE)."""
    sessions = await unit.catalogue.sessions(enrollment.course_id)
    checked = set(await unit.presence.counted_sessions(enrollment.course_id, now))
    present = {p.session_id for p in await unit.presence.of_enrollments([enrollment.id]) if p.status == PRESENT}
    ended = [s for s in sessions if s.ends_at <= now]
    return Attended([s for s in ended if s.id not in checked or s.id in present], len(sessions))


@dataclass(frozen=True, slots=True)
class CertificateDocument:
    """What a certificate's PDF shows: the row, its course and the holder's name (read from the participant)."""

    certificate: Certificate
    course: Course
    holder: str


@dataclass(frozen=True, slots=True)
class Verification:
    """The answer to a number someone typed or scanned; `typed` is what they sent, cleaned up for showing it."""

    status: Status
    typed: str
    certificate: Certificate | None = None
    course: Course | None = None
    masked_name: str | None = None


class CertificateService:
    def __init__(
        self, store: Store, settings: Settings, clock: Clock, planner: ReminderPlanner, template: CertificateTemplate
    ) -> None:
        self._store = store
        self._default_language = settings.default_language
        self._clock = clock
        self._planner = planner
        self.template = template

    async def issue(self, unit: Unit, participant: Participant, enrollment: Enrollment, course: Course) -> Certificate:
        """In the completion's transaction: the certificate, and its PDF queued to the participant (sent outside
        their quiet hours, after the congratulation). An enrolment has one certificate; issuing again returns it."""
        existing = await unit.certificates.by_enrollment(enrollment.id)
        if existing is not None:
            return existing
        now = self._clock.now()
        attended = await sessions_attended(unit, enrollment, now)
        language: str = self._default_language
        if participant.telegram_user_id is not None:
            language = await unit.preferences.language(participant.telegram_user_id) or language
        year = now.astimezone(ZoneInfo(course.timezone)).year
        new = NewCertificate(
            number="",
            enrollment_id=enrollment.id,
            participant_id=participant.id,
            course_id=course.id,
            issued_at=now,
            sessions_total=attended.total,
            sessions=tuple(AttendedSession(s.position, s.topic, s.starts_at, s.ends_at) for s in attended.sessions),
            language=language,
        )
        for _ in range(NUMBER_DRAWS):
            certificate = await unit.certificates.create(replace(new, number=new_number(year)))
            if certificate is not None:
                break
        else:
            raise RuntimeError("no free certificate number after several draws")
        if participant.telegram_user_id is not None:
            zone = self._planner.zone_of(participant)
            await unit.outbox.add(
                telegram_user_id=participant.telegram_user_id,
                kind=CERTIFICATE_KIND,
                message_key="certificate-caption",
                params={"certificate_id": certificate.id},
                dedupe_key=f"certificate:{certificate.id}",
                not_before=self._planner.quiet.next_allowed(now, zone),
                now=now,
                priority=SURVEY_PRIORITY,
                subject=f"{subject(certificate.id)}pdf",
            )
        return certificate

    async def document(self, certificate_id: int) -> CertificateDocument | None:
        """The certificate to send, unless it was revoked or its holder erased their data meanwhile."""
        async with self._store.read() as unit:
            certificate = await unit.certificates.get(certificate_id)
            if certificate is None or certificate.revoked_at is not None:
                return None
            return await _document(unit, certificate)

    async def mine(self, telegram_user_id: int) -> list[CertificateDocument]:
        """Every certificate of the person's (revoked ones too: they are told so), oldest first."""
        async with self._store.read() as unit:
            participant = await unit.participants.by_telegram_id(telegram_user_id)
            if participant is None:
                return []
            found = []
            for certificate in await unit.certificates.of_participant(participant.id):
                document = await _document(unit, certificate)
                if document is not None:
                    found.append(document)
            return found

    async def verify(self, text: str) -> Verification:
        """Whether a typed or scanned number is a valid certificate, and what may be shown of it."""
        typed = "".join(text.split()).upper()[:40]
        number = parse_number(text)
        if isinstance(number, BadNumber):
            return Verification("malformed" if number.reason == "malformed" else "mistyped", typed)
        async with self._store.read() as unit:
            certificate = await unit.certificates.by_number(number)
            if certificate is None:
                return Verification("unknown", number)
            participant = await unit.participants.by_id(certificate.participant_id)
            if certificate.participant_erased_at is not None or participant is None or not participant.full_name:
                return Verification("erased", number, certificate)
            course = await unit.catalogue.course(certificate.course_id)
        if certificate.revoked_at is not None:
            return Verification("revoked", number, certificate, course)
        return Verification("valid", number, certificate, course, mask_name(participant.full_name))

    async def revoke(self, actor: int, role: str, text: str, reason: str) -> CertificateDocument | Refusal:
        """An admin revokes a certificate (audited, with ids only: the reason is kept on the certificate)."""
        number = parse_number(text)
        if isinstance(number, BadNumber):
            return Refusal("certificate-revoke-usage")
        reason = " ".join(reason.split())[:MAX_REASON]
        if not reason:
            return Refusal("certificate-revoke-usage")
        now = self._clock.now()
        async with self._store.write() as unit:
            certificate = await unit.certificates.by_number(number)
            if certificate is None:
                return Refusal("certificate-revoke-unknown", {"number": number})
            if not await unit.certificates.revoke(certificate.id, reason, actor, now):
                return Refusal("certificate-revoke-already", {"number": number})
            await unit.outbox.cancel_pending(subject(certificate.id), keep=set())
            await unit.staff.audit(
                actor, role, "certificate:revoke", {"certificate": certificate.id}, allowed=True, now=now
            )
            course = await unit.catalogue.course(certificate.course_id)
            assert course is not None
            revoked = await unit.certificates.get(certificate.id)
            assert revoked is not None
            return CertificateDocument(revoked, course, "")


async def _document(unit: Unit, certificate: Certificate) -> CertificateDocument | None:
    participant = await unit.participants.by_id(certificate.participant_id)
    course = await unit.catalogue.course(certificate.course_id)
    if participant is None or not participant.full_name or course is None:
        return None
    return CertificateDocument(certificate, course, participant.full_name)
