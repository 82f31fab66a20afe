//! The module rules on small hand-built modules: exports kept, float vtable slots stubbed only
//! when unreachable, MVP validation.

use phat_contract_bundler::wasm::{check_mvp, defloat, strip};
use wasm_encoder::{
    CodeSection, ConstExpr, CustomSection, ElementSection, Elements, EntityType, ExportKind, ExportSection, Function,
    FunctionSection, ImportSection, Instruction, MemoryType, Module, RefType, TableSection, TableType, TypeSection,
    ValType,
};

/// A contract-shaped module: imported memory (with `max`), `call`/`deploy` and `memcpy` exported,
/// a custom section, and a function taking an f64 that sits in the table. `float_use` adds a use
/// of it: 0 none, 1 a direct call, 2 an indirect call through its type.
fn module(max: Option<u64>, float_use: u8) -> Vec<u8> {
    let mut types = TypeSection::new();
    types.ty().function([], []); // 0
    types.ty().function([ValType::I32, ValType::F64], []); // 1
    let mut imports = ImportSection::new();
    imports.import(
        "env",
        "memory",
        EntityType::Memory(MemoryType {
            minimum: 1,
            maximum: max,
            memory64: false,
            shared: false,
            page_size_log2: None,
        }),
    );
    let mut funcs = FunctionSection::new();
    for ty in [0, 0, 0, 1] {
        funcs.function(ty);
    }
    let mut table = TableSection::new();
    table.table(TableType {
        element_type: RefType::FUNCREF,
        minimum: 2,
        maximum: Some(2),
        table64: false,
        shared: false,
    });
    let mut exports = ExportSection::new();
    exports.export("call", ExportKind::Func, 0).export("deploy", ExportKind::Func, 1).export(
        "memcpy",
        ExportKind::Func,
        2,
    );
    let mut elements = ElementSection::new();
    elements.active(Some(0), &ConstExpr::i32_const(1), Elements::Functions([3].as_slice().into()));
    let mut code = CodeSection::new();
    let mut call = Function::new([]);
    match float_use {
        1 => {
            call.instruction(&Instruction::I32Const(0)).instruction(&Instruction::F64Const(1.0.into()));
            call.instruction(&Instruction::Call(3));
        }
        2 => {
            call.instruction(&Instruction::I32Const(0)).instruction(&Instruction::F64Const(1.0.into()));
            call.instruction(&Instruction::I32Const(1));
            call.instruction(&Instruction::CallIndirect { type_index: 1, table_index: 0 });
        }
        _ => {}
    }
    call.instruction(&Instruction::End);
    code.function(&call);
    for _ in 0..2 {
        let mut f = Function::new([]);
        f.instruction(&Instruction::End);
        code.function(&f);
    }
    let mut float = Function::new([]);
    float.instruction(&Instruction::LocalGet(1)).instruction(&Instruction::I64ReinterpretF64);
    float.instruction(&Instruction::Drop).instruction(&Instruction::End);
    code.function(&float);
    let mut m = Module::new();
    m.section(&types).section(&imports).section(&funcs).section(&table).section(&exports).section(&elements);
    m.section(&code).section(&CustomSection { name: "producers".into(), data: b"rustc".as_slice().into() });
    m.finish()
}

#[test]
fn a_contract_module_is_stripped_stubbed_and_passes_the_mvp_check() {
    let linked = module(Some(16), 0);
    assert!(check_mvp(&linked).is_err(), "exports memcpy and has a float signature");
    let stripped = strip(&linked).expect("strip");
    assert!(check_mvp(&stripped).expect_err("float signature").to_string().contains("float"));
    let (module, stubbed) = defloat(&stripped).expect("defloat");
    assert_eq!(stubbed, 1);
    check_mvp(&module).expect("MVP module");
    assert!(!module.windows(9).any(|w| w == b"producers"), "custom section dropped");
}

#[test]
fn reachable_float_functions_and_unbounded_memory_are_refused() {
    assert!(defloat(&strip(&module(Some(16), 1)).unwrap()).is_err(), "called directly");
    assert!(defloat(&strip(&module(Some(16), 2)).unwrap()).is_err(), "called through its type");
    assert!(strip(&module(None, 0)).expect_err("no max").to_string().contains("maximum"));
    assert!(strip(b"\0asm\x01\0\0\0garbage").is_err());
}

#[test]
fn alloys_keccak_hook_is_bound_to_the_host_keccak() {
    let mut types = TypeSection::new();
    types.ty().function([], []);
    types.ty().function([ValType::I32, ValType::I32, ValType::I32], []);
    let mut imports = ImportSection::new();
    imports.import("vm_hooks", "native_keccak256", EntityType::Function(1));
    imports.import(
        "env",
        "memory",
        EntityType::Memory(MemoryType {
            minimum: 1,
            maximum: Some(2),
            memory64: false,
            shared: false,
            page_size_log2: None,
        }),
    );
    let mut funcs = FunctionSection::new();
    funcs.function(0).function(0);
    let mut exports = ExportSection::new();
    exports.export("call", ExportKind::Func, 1).export("deploy", ExportKind::Func, 2);
    let mut code = CodeSection::new();
    let mut call = Function::new([]);
    call.instruction(&Instruction::I32Const(0))
        .instruction(&Instruction::I32Const(4))
        .instruction(&Instruction::I32Const(8));
    call.instruction(&Instruction::Call(0)).instruction(&Instruction::End);
    code.function(&call);
    let mut deploy = Function::new([]);
    deploy.instruction(&Instruction::End);
    code.function(&deploy);
    let mut m = Module::new();
    m.section(&types).section(&imports).section(&funcs).section(&exports).section(&code);
    let out = strip(&m.finish()).expect("strip");
    check_mvp(&out).expect("valid");
    let mut seen = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(&out) {
        if let wasmparser::Payload::ImportSection(reader) = payload.expect("payload") {
            for import in reader.into_imports() {
                let import = import.expect("import");
                seen.push(format!("{}.{}", import.module, import.name));
            }
        }
    }
    assert_eq!(seen, ["seal0.hash_keccak_256", "env.memory"]);
}
