# Multi-stage build: cargo-chef builds the dependencies in a layer of their own, rebuilt only
# when Cargo.toml or Cargo.lock change; the server runs on a slim image as a non-root user.
FROM rust:1.95-slim-bookworm AS chef
RUN cargo install cargo-chef --locked --version ^0.1
WORKDIR /src

FROM chef AS planner
COPY . .
RUN cargo chef prepare --recipe-path recipe.json

FROM chef AS build
COPY --from=planner /src/recipe.json recipe.json
RUN cargo chef cook --release --locked --recipe-path recipe.json --bin prix-ceser
COPY . .
RUN cargo build --release --locked --bin prix-ceser

FROM debian:bookworm-slim
# Debian's stable security updates are wanted, not a version frozen here.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --create-home --home-dir /var/lib/prix-ceser prix \
    && install -d -o 10001 -g 10001 /var/lib/prix-ceser/files
COPY --from=build /src/target/release/prix-ceser /usr/local/bin/prix-ceser
USER 10001
WORKDIR /var/lib/prix-ceser
ENV PRIX_ENV=production \
    PRIX_ADDR=0.0.0.0:8080 \
    PRIX_STORAGE_DIR=/var/lib/prix-ceser/files \
    DATABASE_URL=sqlite:///var/lib/prix-ceser/prix-ceser.db?mode=rwc
EXPOSE 8080
# The SQLite database (when DATABASE_URL is left as is), the voter key file and attachments.
VOLUME ["/var/lib/prix-ceser"]
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
    CMD ["curl", "-fsS", "http://127.0.0.1:8080/health/ready"]
# SIGTERM: the server stops accepting, finishes the requests in flight (20 s at most), exits.
STOPSIGNAL SIGTERM
ENTRYPOINT ["prix-ceser"]
CMD ["serve"]
