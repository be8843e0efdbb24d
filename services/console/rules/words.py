"""The console's words in English and Chinese, by key (plain dicts: no catalog tooling).
Add a key with both languages; `tests/unit/console/test_words.py` fails on a missing one."""

from __future__ import annotations

from services.console.rules.setup_words import DASHBOARD_WORDS, SETUP_WORDS

WORDS: dict[str, dict[str, str]] = {
    "console": {"en": "Patronage console", "zh": "Patronage 运营后台"},
    "skip_to_content": {"en": "Skip to content", "zh": "跳到正文"},
    "home": {"en": "Home", "zh": "首页"},
    "reviews": {"en": "Review queue", "zh": "审核队列"},
    "members": {"en": "Member lookup", "zh": "会员查询"},
    "language": {"en": "Language", "zh": "语言"},
    "signed_in_as": {"en": "Signed in as", "zh": "当前用户"},
    "role": {"en": "Role", "zh": "角色"},
    "scopes": {"en": "Scopes", "zh": "权限"},
    "log_in": {"en": "Log in", "zh": "登录"},
    "log_out": {"en": "Log out", "zh": "退出"},
    "username": {"en": "User name", "zh": "用户名"},
    "password": {"en": "Password", "zh": "密码"},
    "login_failed": {"en": "Wrong user name or password.", "zh": "用户名或密码错误。"},
    "login_locked": {"en": "Too many failed logins; try again later.",
                     "zh": "登录失败次数过多，请稍后再试。"},
    "forbidden": {"en": "You may not do this.", "zh": "您没有执行此操作的权限。"},
    "csrf_failed": {"en": "This form expired; reload the page and try again.",
                    "zh": "表单已过期，请刷新页面后重试。"},
    "welcome": {"en": "Welcome", "zh": "欢迎"},
    "home_intro": {"en": "Pick a task in the navigation.", "zh": "请在导航中选择要处理的工作。"},
    "service_unavailable": {"en": "A service did not answer; try again.",
                            "zh": "服务没有响应，请重试。"},
}
WORDS |= SETUP_WORDS | DASHBOARD_WORDS  # the program setup's and dashboard's pages
