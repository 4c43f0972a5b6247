"""Every model module, imported once so Base.metadata is complete (Alembic, tests)."""

from .. import notices as notices_models  # noqa: F401
from ..accounts import models as accounts_models  # noqa: F401
from ..archive import models as archive_models  # noqa: F401
from ..audit import models as audit_models  # noqa: F401
from ..award import models as award_models  # noqa: F401
from ..bidding import models as bidding_models  # noqa: F401
from ..bidsecurity import models as bidsecurity_models  # noqa: F401
from ..draws import models as draws_models  # noqa: F401
from ..evaluation import models as evaluation_models  # noqa: F401
from ..intermediaries import models as intermediaries_models  # noqa: F401
from ..jobs import models as jobs_models  # noqa: F401
from ..messages import models as messages_models  # noqa: F401
from ..opendata import models as opendata_models  # noqa: F401
from ..projects import models as projects_models  # noqa: F401
from ..rounds import models as rounds_models  # noqa: F401
from ..smallworks import models as smallworks_models  # noqa: F401
from ..supervision import models as supervision_models  # noqa: F401
