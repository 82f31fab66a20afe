//! Making a linked contract module loadable by pallet-contracts / the pink runtime: only the
//! `call` and `deploy` exports, no custom sections, an imported memory with a maximum, and the
//! MVP feature set (no bulk memory, sign extension, reference types, multi-value or floats).

use wasm_encoder::{EntityType, ExportKind, ExportSection, ImportSection, MemoryType, Module, RawSection};
use wasmparser::{ExternalKind, Parser, Payload, TypeRef, Validator, WasmFeatures};

use crate::error::BundleError;

/// The exports the contracts pallet calls.
pub const ENTRY_POINTS: [&str; 2] = ["call", "deploy"];

/// An import's module and name.
pub type Import = (&'static str, &'static str);

/// Imports bound to a host function of the contracts pallet with the same signature: alloy's
/// `native-keccak` hook, `vm_hooks.native_keccak256(ptr, len, out)`, is `seal0.hash_keccak_256`.
pub const HOST_BINDINGS: [(Import, Import); 1] = [(("vm_hooks", "native_keccak256"), ("seal0", "hash_keccak_256"))];

/// `module` with only the entry-point exports and without custom sections.
pub fn strip(module: &[u8]) -> Result<Vec<u8>, BundleError> {
    let mut out = Module::new();
    let mut memory_max = None;
    for payload in Parser::new(0).parse_all(module) {
        let payload = payload?;
        match &payload {
            Payload::ExportSection(reader) => {
                let mut exports = ExportSection::new();
                for export in reader.clone() {
                    let export = export?;
                    if !ENTRY_POINTS.contains(&export.name) {
                        continue;
                    }
                    if export.kind != ExternalKind::Func {
                        return Err(BundleError::Runtime(format!("export {} is not a function", export.name)));
                    }
                    exports.export(export.name, ExportKind::Func, export.index);
                }
                out.section(&exports);
                continue;
            }
            Payload::ImportSection(reader) => {
                let mut imports = ImportSection::new();
                for import in reader.clone().into_imports() {
                    let import = import?;
                    let (module, name) = HOST_BINDINGS
                        .iter()
                        .find(|(from, _)| *from == (import.module, import.name))
                        .map_or((import.module, import.name), |(_, to)| *to);
                    let ty = match import.ty {
                        TypeRef::Func(t) => EntityType::Function(t),
                        TypeRef::Memory(m) => {
                            memory_max = Some(m.maximum);
                            EntityType::Memory(MemoryType {
                                minimum: m.initial,
                                maximum: m.maximum,
                                memory64: m.memory64,
                                shared: m.shared,
                                page_size_log2: m.page_size_log2,
                            })
                        }
                        other => return Err(BundleError::Runtime(format!("import of {other:?} is not supported"))),
                    };
                    imports.import(module, name, ty);
                }
                out.section(&imports);
                continue;
            }
            Payload::CustomSection(_) => continue,
            _ => {}
        }
        copy_section(&mut out, module, &payload)?;
    }
    match memory_max {
        Some(Some(_)) => Ok(out.finish()),
        Some(None) => Err(BundleError::Runtime("imported memory has no maximum (link with --max-memory)".into())),
        None => Err(BundleError::Runtime("memory is not imported (link with --import-memory)".into())),
    }
}

/// Copies the section `payload` is, as is, from `module` into `out` (nothing for non-sections).
fn copy_section(out: &mut Module, module: &[u8], payload: &Payload<'_>) -> Result<(), BundleError> {
    if let Some((id, range)) = payload.as_section() {
        let data = module
            .get(range.start as usize..range.end as usize)
            .ok_or_else(|| BundleError::Runtime("section out of bounds".into()))?;
        out.section(&RawSection { id, data });
    }
    Ok(())
}

/// Checks that `module` validates under the MVP feature set and exports exactly the entry points.
pub fn check_mvp(module: &[u8]) -> Result<(), BundleError> {
    let features = WasmFeatures::MUTABLE_GLOBAL;
    Validator::new_with_features(features)
        .validate_all(module)
        .map_err(|e| BundleError::Runtime(format!("not an MVP module: {e}")))?;
    let mut exports = Vec::new();
    for payload in Parser::new(0).parse_all(module) {
        if let Payload::ExportSection(reader) = payload? {
            for export in reader {
                exports.push(export?.name.to_owned());
            }
        }
    }
    exports.sort();
    if exports != ["call", "deploy"] {
        return Err(BundleError::Runtime(format!("exports {exports:?}, expected call and deploy")));
    }
    Ok(())
}

/// Replaces the functions whose signature carries `f32`/`f64` with integer-typed `unreachable`
/// stubs, when nothing can call them: no direct `call` and no `call_indirect` through a float
/// signature anywhere in the module. Such functions are vtable slots of object-safe traits whose
/// float methods no code uses (alloy-rlp encodes through `&mut dyn bytes::BufMut`, whose vtable
/// holds `put_f32`/`put_f64`), and their mere float signature makes pallet-contracts refuse the
/// module under deterministic execution, which transactions need. Returns the module and how many
/// functions were stubbed; refuses the module if a float function is reachable.
pub fn defloat(module: &[u8]) -> Result<(Vec<u8>, usize), BundleError> {
    use wasm_encoder::{CodeSection, Function, Instruction, TypeSection, ValType as EncValType};
    use wasmparser::{Operator, ValType};

    let is_float = |t: &ValType| matches!(t, ValType::F32 | ValType::F64);
    // Pass 1: which types are float-typed, which functions have them, who calls what.
    let mut float_types = Vec::new();
    let mut imported_funcs = 0u32;
    let mut func_types = Vec::new();
    let mut reachable = Vec::new();
    for payload in Parser::new(0).parse_all(module) {
        match payload? {
            Payload::TypeSection(reader) => {
                for ty in reader.into_iter_err_on_gc_types() {
                    let ty = ty?;
                    float_types.push(ty.params().iter().chain(ty.results()).any(is_float));
                }
            }
            Payload::ImportSection(reader) => {
                for import in reader.into_imports() {
                    if let TypeRef::Func(t) = import?.ty {
                        if float_types.get(t as usize).copied().unwrap_or(false) {
                            return Err(BundleError::Runtime("a host import has a float signature".into()));
                        }
                        imported_funcs += 1;
                    }
                }
            }
            Payload::FunctionSection(reader) => {
                for t in reader {
                    func_types.push(t?);
                }
            }
            Payload::CodeSectionEntry(body) => {
                let mut ops = body.get_operators_reader()?;
                while !ops.eof() {
                    match ops.read()? {
                        Operator::Call { function_index } | Operator::ReturnCall { function_index } => {
                            reachable.push(function_index)
                        }
                        Operator::CallIndirect { type_index, .. } | Operator::ReturnCallIndirect { type_index, .. }
                            if float_types.get(type_index as usize).copied().unwrap_or(false) =>
                        {
                            return Err(BundleError::Runtime("an indirect call through a float signature".into()));
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    let float_func = |index: u32| {
        index
            .checked_sub(imported_funcs)
            .and_then(|i| func_types.get(i as usize))
            .is_some_and(|t| float_types[*t as usize])
    };
    if let Some(f) = reachable.iter().find(|f| float_func(**f)) {
        return Err(BundleError::Runtime(format!("function {f} has a float signature and is called")));
    }
    // Pass 2: rewrite the float types to integer twins and stub the float functions.
    let mut out = Module::new();
    let mut stubbed = 0;
    let mut defined = 0usize;
    let mut code = CodeSection::new();
    for payload in Parser::new(0).parse_all(module) {
        let payload = payload?;
        match &payload {
            Payload::TypeSection(reader) => {
                let mut types = TypeSection::new();
                for ty in reader.clone().into_iter_err_on_gc_types() {
                    let ty = ty?;
                    let map = |t: &ValType| match t {
                        ValType::I32 | ValType::F32 => Ok(EncValType::I32),
                        ValType::I64 | ValType::F64 => Ok(EncValType::I64),
                        other => Err(BundleError::Runtime(format!("value type {other} is not MVP"))),
                    };
                    let params = ty.params().iter().map(map).collect::<Result<Vec<_>, _>>()?;
                    let results = ty.results().iter().map(map).collect::<Result<Vec<_>, _>>()?;
                    types.ty().function(params, results);
                }
                out.section(&types);
                continue;
            }
            Payload::CodeSectionStart { .. } => continue,
            Payload::CodeSectionEntry(body) => {
                let ty = func_types
                    .get(defined)
                    .copied()
                    .ok_or_else(|| BundleError::Runtime("code without a function".into()))?;
                if float_types[ty as usize] {
                    let mut stub = Function::new([]);
                    stub.instruction(&Instruction::Unreachable);
                    stub.instruction(&Instruction::End);
                    code.function(&stub);
                    stubbed += 1;
                } else {
                    code.raw(body.as_bytes());
                }
                defined += 1;
                if defined == func_types.len() {
                    out.section(&code);
                }
                continue;
            }
            _ => {}
        }
        copy_section(&mut out, module, &payload)?;
    }
    Ok((out.finish(), stubbed))
}
