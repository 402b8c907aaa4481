//! What the fuzz targets share: the built-in pack, loaded once per process, and a file loaded
//! from bytes the way `check` loads it, then evaluated with the whole pack (everything a run
//! does but write a report).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use controlgate::catalog::{self, Catalog, PackSource};
use controlgate::environment::EnvironmentResolver;
use controlgate::input::{self, Candidate, Outcome, Places};

/// A directory that does not exist: a plan's `.tf` sources are looked for there and not found,
/// so no input leads the target to the file system.
const NOWHERE: &str = "/nonexistent/controlgate-fuzz";

pub fn builtin() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| catalog::load(&[PackSource::Builtin]).expect("the built-in pack loads"))
}

/// Load `bytes` as the file `name` (named on the command line, so strictly) and evaluate what
/// it holds with the built-in pack.
pub fn load_and_evaluate(name: &str, bytes: &[u8]) {
    let cwd = Path::new(NOWHERE);
    let places = Places {
        cwd,
        root: cwd,
        source_roots: &[],
    };
    let candidate = Candidate {
        path: PathBuf::from(NOWHERE).join(name),
        named: true,
    };
    let mut extra = Vec::new();
    if let Outcome::Loaded(file, _) = input::load_bytes(&candidate, &places, bytes.to_vec(), &mut extra) {
        let evaluation = controlgate::evaluate::evaluate(builtin(), &[file], &EnvironmentResolver::default());
        std::hint::black_box(evaluation);
    }
}
