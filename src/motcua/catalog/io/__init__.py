"""Import and export the procedure catalog as JSON or XLSX.

One document holds fields, procedures, their components (thành phần hồ sơ), internal process steps
(quy trình nội bộ), fees, e-form schema, receiving agencies (by identity code), and what Decision 766 asks of
a procedure: its announcing decision (number, date), the effective date of the legal text, the day it was
published on the National TTHC Database (dates ISO yyyy-mm-dd in JSON, dd/mm/yyyy in XLSX), whether its fees
are paid through the national online payment platform and whether it is a certified-copy procedure. Import validates
everything first and reports every error with its place (sheet/row) in Vietnamese; then writes it
all in one transaction, or nothing.

JSON shape::

    {"format": "motcua-catalog", "version": 1,
     "fields": [{"code": "HT", "name": "Hộ tịch"}],
     "procedures": [{"code": "1.001193", "name": "...", "field": "HT", "level": "commune", ...,
                     "agencies": ["kind:commune_committee", "H51.01"],
                     "components": [{"name": "...", "originals": 1, "copies": 0, "is_required": true}],
                     "steps": [{"name": "...", "role": "specialist", "duration_days": "2",
                                "agency_kind": "", "agency": ""}]}]}

`agencies` items are agency codes or `kind:<agency kind>` (every active agency of that kind);
export writes `kind:` when a procedure is received by every active agency of a kind.

XLSX: sheets "Lĩnh vực", "Thủ tục", "Thành phần hồ sơ", "Quy trình"; first row = column titles
(Vietnamese titles or the JSON keys); lists are comma-separated, form_schema is JSON text.
"""

from .export import catalog_to_dict, export_catalog, write_xlsx
from .format import FORMAT, VERSION, CatalogInvalid
from .load import import_catalog, import_catalog_data
from .read import read_catalog, read_json, read_xlsx

__all__ = ["FORMAT", "VERSION", "CatalogInvalid", "catalog_to_dict", "export_catalog", "import_catalog",
           "import_catalog_data", "read_catalog", "read_json", "read_xlsx", "write_xlsx"]
