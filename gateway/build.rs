//! Compiles `proto/` into the gRPC server and client (tonic), and the descriptor set that
//! server reflection serves, so `grpcurl` can list and call every service.

fn main() -> std::io::Result<()> {
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    println!("cargo:rerun-if-changed=../proto");
    tonic_prost_build::configure()
        .file_descriptor_set_path(out.join("miri_descriptor.bin"))
        .compile_protos(&["../proto/miri/v1/studio.proto"], &["../proto"])
}
