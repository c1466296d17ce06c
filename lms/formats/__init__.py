"""Django's date and number formats where Django's own differ from CLDR (FORMAT_MODULE_PATH).

Django ships none for Kazakh ("13.5", "Dec. 2, 2026") and US English ones; these follow the CLDR
patterns lms/formatting.py prints with, so the admin and form widgets agree with the pages.
Russian needs none: Django's are CLDR's.
"""
