"""The forums' pages, under /community/forums/: reading (views/reading.py), taking part
(views/writing.py) and the moderators' actions (views/moderating.py)."""

from .views import moderating, reading, writing

app_name = "forums"
urlpatterns = [*reading.urlpatterns, *writing.urlpatterns, *moderating.urlpatterns]
