"""Django admin for people who keep the records straight all day, by concern: `base` (the write
path, history rules, query-per-row helpers), `reference`, `groups`, `meetings`, `commitments`,
`indicators`. Every model is registered with model history (django-simple-history)."""

from . import commitments, compliance, groups, indicators, meetings, reference  # noqa: F401 (registers)
