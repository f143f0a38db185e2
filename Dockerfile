# Multi-stage build: compile with the Rust toolchain, run on a slim image as a non-root user.
FROM rust:1.95-slim-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY migration ./migration
COPY src ./src
COPY openapi ./openapi
RUN cargo build --release --locked --bin prix-ceser

FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --create-home --home-dir /var/lib/prix-ceser prix
COPY --from=build /src/target/release/prix-ceser /usr/local/bin/prix-ceser
USER prix
WORKDIR /var/lib/prix-ceser
ENV PRIX_ENV=production \
    PRIX_ADDR=0.0.0.0:8080 \
    DATABASE_URL=sqlite:///var/lib/prix-ceser/prix-ceser.db?mode=rwc
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
    CMD curl -fsS http://127.0.0.1:8080/health/ready || exit 1
STOPSIGNAL SIGTERM
ENTRYPOINT ["prix-ceser"]
CMD ["serve"]
