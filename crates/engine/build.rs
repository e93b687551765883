//! Bakes the content digest of the workshop DevLoop ships into the engine: that pack, exactly as shipped, runs its commands without asking; any other content asks first.

#[path = "src/workshop/digest.rs"]
mod digest;

fn main() {
    let pack = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../workshops/devops-loop");
    // A folder: cargo looks at everything in it.
    println!("cargo:rerun-if-changed={}", pack.display());
    let shipped = digest::of(&pack).unwrap_or_default();
    println!("cargo:rustc-env=DEVLOOP_SHIPPED_PACK={shipped}");
}
