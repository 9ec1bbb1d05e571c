"""The home page's tests borrow the article library's and the events' fixtures."""

from tests.content.conftest import (  # noqa: F401 - fixtures
    category,
    home,
    library,
    library_data,
    library_pages,
    make_article,
)
from tests.events.conftest import event_index, make_event  # noqa: F401 - fixtures
