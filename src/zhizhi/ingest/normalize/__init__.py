"""Normalize: turn the values department exports hold into one clean form per kind of value.

The convention (`Normalized`): every normalizer takes a whole column and returns the clean column, row for
row, with null where no clean value could be made; it never changes or drops the original. The pipeline keeps the
original column beside the clean one, stores both, and quarantines a row whose value failed with the original
shown (`Normalized(raw, clean).failures()`). Phones and addresses return a struct column (unnest it into columns);
its first field is the main value whose absence counts as a failure.

Each normalizer has a column form (polars expressions; only distinct division-name chains go through Python) and
a single-value form with the same rules, for forms, previews and tests:

| kind | column | one value |
| --- | --- | --- |
| text | `clean_text` / `clean_text_expr` | `clean_text_value` |
| prose (free text kept as written) | `clean_prose` / `clean_prose_expr` | `clean_prose_value` |
| identifiers written as text (no spaces, no quotes around) | `clean_identifier` | `clean_identifier_value` |
| dates | `parse_dates` | `parse_date_value` |
| moments (a day and a time of day) | `parse_datetimes` | `parse_datetime_value` |
| phones | `normalize_phones` | `normalize_phone_value` |
| names | `normalize_names` / `normalize_names_expr` | `normalize_name_value` |
| addresses | `split_addresses` | `split_address_value` |

Each module's docstring records the decisions it makes (what is accepted, what is refused, and why).
"""

from zhizhi.ingest.normalize.addresses import AddressParts, split_address_value, split_addresses
from zhizhi.ingest.normalize.dates import (
    excel_serial_to_date,
    parse_date_value,
    parse_dates,
    parse_datetime_value,
    parse_datetimes,
)
from zhizhi.ingest.normalize.names import normalize_name_value, normalize_names, normalize_names_expr
from zhizhi.ingest.normalize.normalized import Normalized
from zhizhi.ingest.normalize.phones import PhoneValue, normalize_phone_value, normalize_phones
from zhizhi.ingest.normalize.text import (
    clean_identifier,
    clean_identifier_value,
    clean_prose,
    clean_prose_expr,
    clean_prose_value,
    clean_text,
    clean_text_expr,
    clean_text_value,
)

__all__ = [
    "AddressParts",
    "Normalized",
    "PhoneValue",
    "clean_identifier",
    "clean_identifier_value",
    "clean_prose",
    "clean_prose_expr",
    "clean_prose_value",
    "clean_text",
    "clean_text_expr",
    "clean_text_value",
    "excel_serial_to_date",
    "normalize_name_value",
    "normalize_names",
    "normalize_names_expr",
    "normalize_phone_value",
    "normalize_phones",
    "parse_date_value",
    "parse_dates",
    "parse_datetime_value",
    "parse_datetimes",
    "split_address_value",
    "split_addresses",
]
