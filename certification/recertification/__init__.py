"""Recertification: reminders before a certificate expires, renewal by the refresher course, and
the lapsed level requirements members and coordinators see."""
