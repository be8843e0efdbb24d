# One image for every service; the command picks which one runs (`patronage serve wallet`).
FROM python:3.11-slim AS build
RUN pip install --no-cache-dir uv
WORKDIR /app
COPY pyproject.toml uv.lock README.md ./
COPY shared ./shared
COPY services ./services
COPY patronage ./patronage
RUN uv sync --frozen --no-dev --no-editable

FROM python:3.11-slim
RUN useradd --uid 10001 --no-create-home patronage
COPY --from=build /app/.venv /app/.venv
COPY --from=build /app/services /app/services
ENV PATH="/app/.venv/bin:$PATH" PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
USER 10001
WORKDIR /app
ENTRYPOINT ["patronage"]
CMD ["serve", "wallet"]
