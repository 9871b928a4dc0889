"""Imports every domain's models so the metadata (and Alembic) sees all tables."""

from fusioncell.access import models as access_models  # noqa: F401
from fusioncell.cell import models as cell_models  # noqa: F401
from fusioncell.commerce import models as commerce_models  # noqa: F401
from fusioncell.db.base import Base
from fusioncell.deconfliction import models as deconfliction_models  # noqa: F401
from fusioncell.diplomacy import models as diplomacy_models  # noqa: F401
from fusioncell.diplomacy.commitments import models as commitments_models  # noqa: F401
from fusioncell.diplomacy.meetings import models as meetings_models  # noqa: F401
from fusioncell.fusion import models as fusion_models  # noqa: F401
from fusioncell.glossary import models as glossary_models  # noqa: F401
from fusioncell.hotline import models as hotline_models  # noqa: F401
from fusioncell.idempotency import models as idempotency_models  # noqa: F401
from fusioncell.incidents import models as incidents_models  # noqa: F401
from fusioncell.intel import models as intel_models  # noqa: F401
from fusioncell.ledger import models as ledger_models  # noqa: F401
from fusioncell.ledger import witnessing_models  # noqa: F401
from fusioncell.notifications import models as notifications_models  # noqa: F401
from fusioncell.osint import models as osint_models  # noqa: F401
from fusioncell.taxii import models as taxii_models  # noqa: F401
from fusioncell.verification import models as verification_models  # noqa: F401

metadata = Base.metadata
