from rest_framework.routers import SimpleRouter

from communities.views import CommunityViewSet

router = SimpleRouter(trailing_slash=False)
router.register("communities", CommunityViewSet, basename="community")

urlpatterns = router.urls
