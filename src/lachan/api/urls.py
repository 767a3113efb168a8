from ninja import NinjaAPI

api = NinjaAPI(title="Lá Chắn API", version="1", urls_namespace="api")
