"""The integration API, `/api/v1/`: one NinjaAPI that mounts each app's router."""

from ninja import NinjaAPI

api = NinjaAPI(
    title="园区信用平台接口",
    version="1.0.0",
    description="企业档案与信用记录的只读接口;以令牌认证,访问范围与页面一致。",
)
