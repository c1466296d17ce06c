"""The one seam between learning and certification.

`course_completed` is sent once per enrolment, inside the transaction that records the
completion, so a receiver that issues a certificate commits or rolls back with it.
"""

from django.dispatch import Signal

course_completed = Signal()  # sender=CoursePage, enrolment=Enrolment
