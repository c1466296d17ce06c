from datetime import timedelta

from django.utils import timezone

from certification.models import Certificate


def certificate_of(holder, course, *, expires_in=None, issued_ago=timedelta(days=700), **fields):
    """An issued course certificate of `holder`, expiring `expires_in` from now (None: never)."""
    now = timezone.now()
    return Certificate.objects.create(
        kind=Certificate.Kind.COURSE,
        status=fields.pop("status", Certificate.Status.ISSUED),
        holder=holder,
        source_key=f"course:test-{Certificate.objects.count() + 1}",
        holder_name=holder.get_full_name(),
        title_ru=course.title,
        course=course,
        direction=course.direction,
        level=course.target_level,
        issued_at=now - issued_ago,
        expires_at=now + expires_in if expires_in is not None else None,
        **fields,
    )
