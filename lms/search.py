"""Wagtail's database search backend, stemming each page in its own language on PostgreSQL.

PostgreSQL full-text search has one text search configuration per backend; here a page is indexed
with its locale's configuration (SEARCH_CONFIGS: the Russian and English Snowball stemmers, plain
words for Kazakh, which PostgreSQL has no stemmer for) and a query is matched in every one of them,
since a reader may type in any language. In a language listed in PREFIX_MATCH_LANGUAGES a word
also finds the words it begins ("жара" finds "жараларды"): a crude stand-in for a stemmer.
Other databases get Wagtail's own backend for them (SQLite's FTS5 does not stem Cyrillic).
"""

import re
from collections import defaultdict

from django.contrib.postgres.search import SearchQuery
from django.db import connection
from django.utils.translation import get_language
from wagtail.search.backends.database import SearchBackend as database_backend
from wagtail.search.backends.database.postgres.postgres import (
    PostgresIndex,
    PostgresSearchBackend,
    PostgresSearchQueryCompiler,
    PostgresSearchResults,
)
from wagtail.search.backends.database.postgres.query import Lexeme
from wagtail.search.query import PlainText

# Shorter words than this are matched whole even where words match by their beginning.
MIN_PREFIX_LENGTH = 3


def SearchBackend(params):  # the name Wagtail looks up in a backend module
    if connection.vendor == "postgresql":
        return LanguagePostgresSearchBackend(params)
    return database_backend(params)


class LanguageIndex(PostgresIndex):
    def add_items(self, model, objs):
        by_config = defaultdict(list)
        for obj in objs:
            by_config[self.backend.config_of(obj)].append(obj)
        for config, group in by_config.items():
            PostgresIndex(self.backend.with_config(config)).add_items(model, group)


class AnyLanguageQueryCompiler(PostgresSearchQueryCompiler):
    def get_config(self, backend):
        if self.fields is not None:
            # Searching named fields reads the table, not the index: one configuration.
            return backend.config_for(get_language())
        return backend.query_configs

    def build_tsquery(self, query, config=None):
        if not isinstance(config, tuple):
            return super().build_tsquery(query, config=config)
        parts = [self.build_in_config(query, *each) for each in config]
        parts = [part for part in parts if part is not None]
        if not parts:
            return None
        combined = parts[0]
        for part in parts[1:]:
            combined |= part
        return combined

    def build_in_config(self, query, config, is_prefix):
        if not (is_prefix and isinstance(query, PlainText)):
            return self.build_tsquery_content(query, config=config)
        terms = [term for term in re.split(r"[\s\-]+", query.query_string) if term]
        if not terms:
            return None
        lexemes = [Lexeme(term, prefix=len(term) >= MIN_PREFIX_LENGTH) for term in terms]
        combined = lexemes[0]
        for lexeme in lexemes[1:]:
            combined = combined & lexeme if query.operator == "and" else combined | lexeme
        return SearchQuery(combined, search_type="raw", config=config)


class LanguagePostgresSearchBackend(PostgresSearchBackend):
    query_compiler_class = AnyLanguageQueryCompiler
    index_class = LanguageIndex
    results_class = PostgresSearchResults

    def __init__(self, params):
        super().__init__(params)
        self.params = params
        self.configs = dict(params.get("SEARCH_CONFIGS", {}))
        prefix_languages = set(params.get("PREFIX_MATCH_LANGUAGES", ()))
        self.query_configs = tuple(
            dict.fromkeys(
                (config, language in prefix_languages) for language, config in self.configs.items()
            )
        ) or ((self.config, False),)
        self.backends = {}
        self.locale_codes = {}

    def config_for(self, language):
        return self.configs.get((language or "").split("-")[0], self.config)

    def config_of(self, obj):
        """The configuration of the object's locale (Wagtail's TranslatableMixin), if it has one."""
        locale_id = getattr(obj, "locale_id", None)
        if locale_id is not None and locale_id not in self.locale_codes:
            from wagtail.models import Locale

            self.locale_codes = dict(Locale.objects.values_list("pk", "language_code"))
        return self.config_for(self.locale_codes.get(locale_id))

    def with_config(self, config):
        """Wagtail's own backend for one configuration, which indexes in it."""
        if config not in self.backends:
            self.backends[config] = PostgresSearchBackend({**self.params, "SEARCH_CONFIG": config})
        return self.backends[config]
