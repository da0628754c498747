# hindsight in a container: build with the Rust toolchain, run from a small Debian image.
#   docker build -t hindsight --build-arg HINDSIGHT_COMMIT=$(git rev-parse --short=12 HEAD) .
#   docker run --rm -v "$PWD:/site" -w /site hindsight build
FROM rust:slim AS builder
# The commit for `hindsight --version` (.git is not sent to the build; see .dockerignore).
ARG HINDSIGHT_COMMIT=unknown
ENV HINDSIGHT_COMMIT=${HINDSIGHT_COMMIT}
WORKDIR /src
COPY Cargo.toml Cargo.lock build.rs ./
COPY src ./src
COPY themes ./themes
COPY schemas ./schemas
# Cargo.toml names these targets, so they must exist for the manifest to load.
COPY examples ./examples
COPY tests ./tests
RUN cargo build --release --locked --bin hindsight \
    && strip target/release/hindsight

FROM debian:stable-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates git \
    && rm -rf /var/lib/apt/lists/*
COPY --from=builder /src/target/release/hindsight /usr/local/bin/hindsight
WORKDIR /site
ENTRYPOINT ["hindsight"]
CMD ["--help"]
