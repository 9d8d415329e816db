"""Review and approval endpoints under /api/v1/."""
urlpatterns: list = []
